/*
** record.c: a timeline record as one line of JSON (docs/tabletop.md lists
** the kinds).  The text is built in the caller's buffer like snprintf:
** what does not fit is counted, not written, so the caller can retry with
** the length returned.
*/
#include <stdio.h>
#include <string.h>

#include "brinkint.h"

typedef struct out {
  char *buf;
  size_t cap, len;
} out;

static void put(out *o, const char *s, size_t n) {
  if (o->len < o->cap) {
    size_t room = o->cap - o->len - 1;
    memcpy(o->buf + o->len, s, n < room ? n : room);
  }
  o->len += n;
}

static void puts_(out *o, const char *s) { put(o, s, strlen(s)); }

static void put_string(out *o, const char *s) {
  if (s == NULL) s = "";   /* a host's record may leave a field unset */
  put(o, "\"", 1);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    char esc[8];
    if (c == '"' || c == '\\') {
      esc[0] = '\\';
      esc[1] = (char)c;
      put(o, esc, 2);
    } else if (c == '\n') {
      put(o, "\\n", 2);
    } else if (c == '\t') {
      put(o, "\\t", 2);
    } else if (c < 0x20 || c == 0x7f) {
      snprintf(esc, sizeof esc, "\\u%04x", c);
      put(o, esc, 6);
    } else {
      put(o, s, 1);
    }
  }
  put(o, "\"", 1);
}

static void put_key(out *o, const char *key) {
  put(o, ",", 1);
  put_string(o, key);
  put(o, ":", 1);
}

static void put_int(out *o, const char *key, long long v) {
  char t[32];
  put_key(o, key);
  snprintf(t, sizeof t, "%lld", v);
  puts_(o, t);
}

static void put_date(out *o, int32_t days) {
  char t[16];
  brink_date_format(days, t, sizeof t);
  put_key(o, "date");
  put_string(o, t);
}

/* A value as its type shows it: 9, 8.5, true, "liberal". */
static void put_value(out *o, const brink_engine *e, int var, double v) {
  char t[40];
  switch (brink_var_type(e, var)) {
  case BRINK_FLAG: puts_(o, v != 0 ? "true" : "false"); break;
  case BRINK_ENUM: put_string(o, brink_var_enum_value(e, var, (int)v)); break;
  default: brink__fmt_number(e, v, t, sizeof t); puts_(o, t);
  }
}

static const char *kind_names[] = {"start", "turn", "move", "set", "trigger",
                                   "event", "news", "error", "end",
                                   "belief"};

BRINK_API int brink_record_json(const brink_engine *e, const brink_record *rec,
                                char *buf, size_t cap) {
  brink_record full;
  brink__record_blank(e, &full, BRINK_REC_START);
  int rc = brink__struct_in(e, &full, sizeof full, rec, "brink_record");
  if (rc != BRINK_OK) return rc;
  const brink_record *r = &full;
  if (r->kind < 0 || r->kind > BRINK_REC_BELIEF)
    return brink__error(e, BRINK_EINVAL, "no record kind %d", (int)r->kind);
  if (buf == NULL && cap)
    return brink__error(e, BRINK_EINVAL, "buf is NULL but cap is %zu", cap);
  /* A host's record names what exists, so the names below are found. */
  if (r->kind == BRINK_REC_MOVE &&
      (r->actor < 0 || r->actor >= e->nactors || r->move < 0 ||
       r->move >= e->nmoves || r->target < -1 || r->target >= e->nactors))
    return brink__error(e, BRINK_EINVAL, "a move record with a bad actor, "
                        "move or target id");
  if (r->kind == BRINK_REC_SET && (!e->sealed || r->var < 0 ||
                                   r->var >= e->nvars))
    return brink__bad_id(e, "variable", r->var);
  if (r->kind == BRINK_REC_BELIEF &&
      (!e->sealed || r->var < 0 || r->var >= e->nvars || r->actor < 0 ||
       r->actor >= e->nactors))
    return brink__error(e, BRINK_EINVAL, "a belief record with a bad actor "
                        "or variable id");
  out o = {buf, cap, 0};
  puts_(&o, "{\"t\":");
  put_string(&o, kind_names[r->kind]);
  char t[32];
  switch (r->kind) {
  case BRINK_REC_START:
    put_key(&o, "scenario");
    put_string(&o, r->id);
    put_key(&o, "seed");
    /* Past 2^63 a digit string, as in saves: JSON readers (jansson among
       them) refuse integers beyond int64, and the log must read back. */
    snprintf(t, sizeof t, r->seed > INT64_MAX ? "\"%llu\"" : "%llu",
             (unsigned long long)r->seed);
    puts_(&o, t);
    put_key(&o, "engine");
    put_string(&o, BRINK_VERSION);
    break;
  case BRINK_REC_TURN:
    put_int(&o, "turn", r->turn);
    put_date(&o, r->date);
    break;
  case BRINK_REC_MOVE:
    put_int(&o, "turn", r->turn);
    put_date(&o, r->date);
    put_key(&o, "actor");
    put_string(&o, brink_actor_id(e, r->actor));
    put_key(&o, "move");
    put_string(&o, brink_move_name(e, r->move));
    if (r->target >= 0) {
      put_key(&o, "target");
      put_string(&o, brink_actor_id(e, r->target));
    }
    break;
  case BRINK_REC_SET:
    put_int(&o, "turn", r->turn);
    put_key(&o, "var");
    put_string(&o, brink_var_name(e, r->var));
    put_key(&o, "old");
    put_value(&o, e, r->var, r->old_value);
    put_key(&o, "new");
    put_value(&o, e, r->var, r->new_value);
    put_key(&o, "cause");
    put_string(&o, r->cause);
    break;
  case BRINK_REC_BELIEF:
    put_int(&o, "turn", r->turn);
    put_key(&o, "actor");
    put_string(&o, brink_actor_id(e, r->actor));
    put_key(&o, "var");
    put_string(&o, brink_var_name(e, r->var));
    put_key(&o, "lo");
    put_value(&o, e, r->var, r->lo);
    put_key(&o, "hi");
    put_value(&o, e, r->var, r->hi);
    put_key(&o, "cause");
    put_string(&o, r->cause);
    break;
  case BRINK_REC_TRIGGER:
  case BRINK_REC_EVENT:
    put_int(&o, "turn", r->turn);
    put_date(&o, r->date);
    put_key(&o, "id");
    put_string(&o, r->id);
    break;
  case BRINK_REC_NEWS:
    put_int(&o, "turn", r->turn);
    put_date(&o, r->date);
    put_key(&o, "text");
    put_string(&o, r->text);
    break;
  case BRINK_REC_ERROR:
    put_int(&o, "turn", r->turn);
    put_key(&o, "where");
    put_string(&o, r->where);
    put_key(&o, "in");
    put_string(&o, r->in);
    put_key(&o, "message");
    put_string(&o, r->text);
    break;
  case BRINK_REC_END:
    put_int(&o, "turn", r->turn);
    put_date(&o, r->date);
    put_key(&o, "outcome");
    put_string(&o, r->id);
    put_key(&o, "final");
    put(&o, "{", 1);
    for (int v = 0; v < e->nvars; v++) {
      if (v) put(&o, ",", 1);
      put_string(&o, e->vars[v].name);
      put(&o, ":", 1);
      put_value(&o, e, v, e->values[v]);
    }
    put(&o, "}", 1);
    break;
  }
  put(&o, "}", 1);
  if (cap) buf[o.len < cap ? o.len : cap - 1] = '\0';
  return o.len > (size_t)0x7fffffff ? BRINK_ENOMEM : (int)o.len;
}
