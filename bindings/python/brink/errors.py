"""The exceptions of the brink package: one class per brink.h status."""
import re


class Error(Exception):
    """A failing libbrink call.

    message   brink_errmsg: the library's own sentence
    status    the negative status (brink.h's BRINK_E*), or None
    where     brink_errwhere: "file.lua:42" for script errors, else ""
    file, line  'where' taken apart (None when there is no place)
    context   brink_errin: what was running ("trigger:summit"), or ""
    diagnostics  every "file:line: message" of a failed load
    """

    def __init__(self, message, status=None, where="", context="",
                 diagnostics=()):
        self.message = message
        self.status = status
        self.where = where or ""
        self.context = context or ""
        self.diagnostics = list(diagnostics)
        self.file, self.line = None, None
        m = re.match(r"^(.*):(\d+)$", self.where)
        if m:
            self.file, self.line = m.group(1), int(m.group(2))
        super().__init__(message)

    @property
    def errwhere(self):
        """'where' under its C name."""
        return self.where

    @property
    def errin(self):
        """'context' under its C name."""
        return self.context

    def __str__(self):
        head = ""
        if self.where and not self.message.startswith(self.where):
            head += self.where + ": "
        if self.context:
            head += "(in %s) " % self.context
        return head + self.message


class LibraryError(Error, ImportError):
    """libbrink cannot be found or loaded."""


class UnsupportedError(Error, NotImplementedError):
    """The loaded libbrink lacks a function this method needs."""


class NoMemoryError(Error, MemoryError):
    """BRINK_ENOMEM."""


class InvalidError(Error, ValueError):
    """BRINK_EINVAL: a bad argument (an illegal action, a bad id)."""


class NotFoundError(Error, LookupError):
    """BRINK_ENOTFOUND: an unknown name; the message suggests the nearest."""


class ExistsError(Error):
    """BRINK_EEXIST."""


class WrongTypeError(Error, TypeError):
    """BRINK_ETYPE: a value of the wrong type for its variable."""


class RangeError(Error, ValueError):
    """BRINK_ERANGE."""


class StateError(Error):
    """BRINK_ESTATE: not allowed in the engine's (or the state's) current
    state, e.g. an action applied to a terminal state."""


class ScriptError(Error):
    """BRINK_ESCRIPT: a scenario script failed; 'where' says where."""


class BudgetError(ScriptError):
    """BRINK_EBUDGET: a script ran out of instructions, memory or time."""


class IOFailure(Error, OSError):
    """BRINK_EIO."""


class FormatError(Error, ValueError):
    """BRINK_EFORMAT: damaged data, or data of another scenario."""


BY_STATUS = {-1: NoMemoryError, -2: InvalidError, -3: NotFoundError,
             -4: ExistsError, -5: WrongTypeError, -6: RangeError,
             -7: StateError, -8: ScriptError, -9: BudgetError,
             -10: IOFailure, -11: FormatError}
