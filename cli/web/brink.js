/* brink.js: what the seat, facilitator and projector pages share.
 *
 * Plain ES2017, no modules, no build step, nothing fetched but our own
 * server's /api/.  Every text that comes from the scenario or the API is
 * put into the page with textContent; the only markup inserted as such is
 * the chart SVG from GET /api/charts, and only into #charts.
 *
 * Element ids and data attributes the pages keep stable (the browser test
 * in tests/serve/test_browser.py relies on them):
 *
 *   all pages   #title      the scenario's title
 *               #when       the turn's date as people read it ("Jul 2019")
 *               #turn       "Turn 3 of 20"; data-turn="3"
 *               #status     what is going on; data-status = the API's status
 *                           ("awaiting" | "held" | "ended" | "stopped"),
 *                           data-awaiting = the actor to move or ""
 *               #outcome    the outcome once ended (hidden before)
 *               #timeline   <li data-kind="news|move|..." data-turn="N">,
 *                           moves also data-actor, data-move, data-target
 *               #error      the last error, if any (hidden when none)
 *               #conn       the live connection: data-live="yes|no"
 *               body        data-version = the last state version shown
 *   seat        #actor      the actor's name; #brief its brief
 *               #values     <tr data-var="DPRK.economy" data-hidden="false">;
 *                           relations (data-rel="true") folded away unless
 *                           #show-rel is checked or #filter matches them
 *               #options    one <button data-move="summit" data-target="DPRK">
 *                           per legal move (data-target="" when none);
 *                           on a seat's page disabled while not its turn
 *               #illegal    <li data-move data-target> with .reason
 *               #seats      <li data-actor="USA" data-moved="true|false">
 *   facilitator #values, #seats, #options (buttons move for the awaiting
 *               actor), #illegal, as above; #hold the hold switch (a button,
 *               aria-pressed and data-held "true"/"false"); #said the
 *               answers of commands (<pre>, newest last, .err on refusals);
 *               #trail <li> per intervention; #branches; #cmdline the
 *               free-form command input; forms form[data-cmd="set|news|
 *               fire|odds|undo|branch|load|save|why|report"] and buttons
 *               button[data-run="/state|/reload|/branches|/help"]
 *   projector   #news       the latest headlines, <li data-turn>
 *               #charts     one <figure data-var="..."> per chart
 */
'use strict';

var Brink = (function () {
  /* Calls the API.  Resolves with the parsed JSON object of a 2xx answer;
   * rejects with an Error whose .status is the HTTP status and .body the
   * parsed answer (so a refused command still shows its "said"). */
  function api(method, path, body) {
    var init = {
      method: method,
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { 'X-Brink': '1', 'Accept': 'application/json' }
    };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (r) {
      return r.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : {}; } catch (e) { data = null; }
        if (!r.ok || data === null) {
          var msg = data && data.error ? data.error
            : 'HTTP ' + r.status + (data === null ? ' (not JSON)' : '');
          var err = new Error(msg);
          err.status = r.status;
          err.body = data || {};
          throw err;
        }
        return data;
      });
    });
  }

  function $(id) { return document.getElementById(id); }

  /* Makes an element: el('li', {class: 'news', 'data-turn': 3}, 'text', child).
   * Strings become text nodes, never markup. */
  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === 'class') node.className = v;
        else if (k === 'text') node.textContent = String(v);
        else if (k.slice(0, 2) === 'on') node.addEventListener(k.slice(2), v);
        else node.setAttribute(k, v === true ? '' : String(v));
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined || c === false) continue;
      node.appendChild(typeof c === 'string' || typeof c === 'number'
        ? document.createTextNode(String(c)) : c);
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  function setText(id, text) {
    var node = $(id);
    if (node) node.textContent = text == null ? '' : String(text);
    return node;
  }

  /* Shows message in #error, or hides it when message is empty.  from
   * names who said it ('load' for the live view, 'action' for a POST), so
   * a fresh view clears its own error but not a refused action's. */
  function showError(message, from) {
    var node = $('error');
    if (!node) return;
    from = from || 'action';
    if (!message && node.getAttribute('data-from') !== from) return;
    node.setAttribute('data-from', message ? from : '');
    node.textContent = message || '';
    node.hidden = !message;
  }

  /* Keeps the page live: fetches the view, then refetches it on every
   * `state` event of /api/events.  Fetches never overlap: an event that
   * comes during a fetch asks for one more fetch after it.  render(state)
   * draws the page; it is also called by refresh() after a POST. */
  function live(render, query) {
    var path = 'api/state' + (query || '');
    var busy = false, again = false, shown = -1, who = null;

    /* A link's cookie belongs to its own pages, so tabs of several roles
     * live side by side; should another role's view come back all the
     * same, say so rather than show one team another's view. */
    function same(state) {
      var now = state.role + ':' + (state.role === 'seat' ? state.actor : '');
      var page = document.body.getAttribute('data-role');
      if (page && page !== state.role || who && who !== now) {
        showError('This browser has since joined as ' + state.role
          + (state.actor ? ' ' + state.actor : '') + ' with another link; '
          + 'reload the page to see that view, or use one browser per role.',
          'role');
        return false;
      }
      who = now;
      return true;
    }

    function show(state) {
      if (!same(state)) return;
      if (typeof state.version === 'number' && state.version < shown) return;
      shown = typeof state.version === 'number' ? state.version : shown;
      document.body.setAttribute('data-version', String(shown));
      try {
        render(state);
      } catch (e) {
        showError('Could not show the state: ' + e.message, 'load');
        throw e;
      }
    }

    function load() {
      if (busy) { again = true; return; }
      busy = true;
      api('GET', path).then(function (state) {
        busy = false;
        showError('', 'load');
        show(state);
        if (again) { again = false; load(); }
      }, function (err) {
        busy = false;
        showError(err.status === 401 || err.status === 403
          ? 'Not signed in: open the link you were given (' + err.message + ')'
          : 'Could not load the state: ' + err.message, 'load');
        if (again) { again = false; load(); }
      });
    }

    function conn(ok) {
      var node = $('conn');
      if (!node) return;
      node.setAttribute('data-live', ok ? 'yes' : 'no');
      node.textContent = ok ? 'live' : 'reconnecting\u2026';
      node.title = ok ? 'Updates arrive as they happen'
        : 'Lost the connection to the server; retrying';
    }

    load();
    if (typeof EventSource === 'function') {
      var es = new EventSource('api/events', { withCredentials: true });
      es.addEventListener('open', function () { conn(true); load(); });
      es.addEventListener('state', function (ev) {
        var v = -1;
        try { v = JSON.parse(ev.data).version; } catch (e) { v = -1; }
        if (typeof v !== 'number' || v !== shown) load();
      });
      es.addEventListener('error', function () { conn(false); });
    }
    return { reload: load, show: show };
  }

  /* "Turn 3 of 20", the date and the status line, for every page. */
  function renderHeader(state, who) {
    setText('title', state.scenario && state.scenario.title
      || state.scenario && state.scenario.id || '');
    if (state.scenario && state.scenario.title) {
      document.title = state.scenario.title + ' \u2014 ' + who;
    }
    var turn = setText('turn', 'Turn ' + state.turn
      + (state.turns ? ' of ' + state.turns : ''));
    if (turn) turn.setAttribute('data-turn', String(state.turn));
    var when = setText('when', state.when || state.date || '');
    if (when) when.title = state.date || '';

    var status = $('status');
    if (status) {
      status.setAttribute('data-status', state.status || '');
      status.setAttribute('data-awaiting', state.awaiting || '');
      status.textContent = statusText(state);
    }
    var out = $('outcome');
    if (out) {
      clear(out);
      out.hidden = !state.outcome;
      if (state.outcome) {
        out.appendChild(el('strong', null, 'Outcome: ' + state.outcome.id));
        if (state.outcome.doc) out.appendChild(el('span', null, ' \u2014 '
          + state.outcome.doc));
      }
    }
  }

  function actorName(state, id) {
    var seats = state.seats || [];
    for (var i = 0; i < seats.length; i++) {
      if (seats[i].actor === id && seats[i].name) return seats[i].name;
    }
    return id;
  }

  function statusText(state) {
    if (state.status === 'ended') {
      return 'The exercise has ended'
        + (state.outcome ? ': ' + state.outcome.id : '') + '.';
    }
    if (state.status === 'stopped') return 'The session has stopped.';
    if (state.status === 'held') {
      return 'Held by the facilitator: the turn resolves when released.';
    }
    /* The switch on before the turn reaches the held point. */
    var then = state.held ? ' The facilitator will hold the turn once its'
      + ' moves are made.' : '';
    if (state.your_turn) return 'Your turn: choose a move.' + then;
    if (state.awaiting) {
      var name = actorName(state, state.awaiting);
      return 'Waiting for ' + (name !== state.awaiting
        ? name + ' (' + state.awaiting + ')' : name) + '\u2026' + then;
    }
    return 'Resolving the turn\u2026';
  }

  /* The values as a table grouped by owner: the part of the name before
   * the first dot when it is an actor, else "World".  exact: show the
   * raw number (facilitator) beside the text. */
  function renderValues(table, values, opts) {
    opts = opts || {};
    var filter = (opts.filter || '').toLowerCase();
    var actors = {};
    (opts.seats || []).forEach(function (s) { actors[s.actor] = true; });
    (opts.actors || []).forEach(function (a) { actors[a] = true; });
    clear(table);
    var groups = [], byName = {};
    (values || []).forEach(function (v) {
      if (filter && v.name.toLowerCase().indexOf(filter) < 0
          && String(v.doc || '').toLowerCase().indexOf(filter) < 0) return;
      var dot = v.name.indexOf('.');
      var owner = dot > 0 && (actors[v.name.slice(0, dot)]
        || /^[A-Z][A-Z0-9_]*$/.test(v.name.slice(0, dot)))
        ? v.name.slice(0, dot) : 'World';
      if (!byName[owner]) { byName[owner] = []; groups.push(owner); }
      byName[owner].push(v);
    });
    groups.forEach(function (g) {
      var body = el('tbody', { 'data-group': g }), shown = 0;
      body.appendChild(el('tr', { class: 'group' },
        el('th', { colspan: 2, scope: 'rowgroup' },
          g === 'World' ? 'World' : g + ' \u2014 ' + actorName(opts, g))));
      byName[g].forEach(function (v) {
        /* The exact value, for the facilitator, when the text rounds it. */
        var exact = opts.exact && !v.hidden && v.value !== null
          && v.value !== undefined && typeof v.value !== 'string'
          && String(v.value) !== v.text ? JSON.stringify(v.value) : '';
        var cells = [
          el('td', { class: 'name', title: v.doc || '' }, breakable(v.name),
            v.doc ? el('span', { class: 'doc' }, v.doc) : null),
          el('td', { class: 'n' + (v.hidden ? ' hidden-value' : '') },
            v.hidden ? 'hidden' : v.text,
            exact ? el('span', { class: 'exact' }, exact) : null)
        ];
        /* A relation ('USA.tension.DPRK') is one of many: folded away
         * unless asked for or matched by the filter. */
        var rel = v.name.split('.').length >= 3;
        var row = el('tr', { 'data-var': v.name,
          'data-hidden': v.hidden ? 'true' : 'false',
          'data-rel': rel ? 'true' : null,
          hidden: rel && opts.relations === false && !filter });
        cells.forEach(function (c) { row.appendChild(c); });
        if (opts.changed && opts.changed[v.name]) row.className = 'changed';
        if (!row.hidden) shown++;
        body.appendChild(row);
      });
      if (!shown) body.hidden = true;
      table.appendChild(body);
    });
    if (!groups.length) {
      table.appendChild(el('tbody', null, el('tr', null,
        el('td', { class: 'empty' }, filter ? 'No value matches.' : 'No values.'))));
    }
  }

  /* A dotted name that may wrap after its dots ("USA.<wbr>troops"), as
   * text nodes and <wbr> elements, never markup. */
  function breakable(name) {
    var span = el('span', { class: 'var' });
    String(name).split('.').forEach(function (part, i) {
      if (i) { span.appendChild(document.createTextNode('.')); span.appendChild(el('wbr')); }
      span.appendChild(document.createTextNode(part));
    });
    return span;
  }

  /* "2019-07-01" as "1 Jul 2019"; anything else as it is. */
  function niceDate(date) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date || '');
    if (!m) return date || '';
    var months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep',
      'Oct', 'Nov', 'Dec'];
    return Number(m[3]) + ' ' + (months[Number(m[2]) - 1] || m[2]) + ' ' + m[1];
  }

  /* Which values changed since the last call (by name), for a highlight. */
  function differ() {
    var last = null;
    return function (values) {
      var now = {}, changed = {};
      (values || []).forEach(function (v) { now[v.name] = v.text; });
      if (last) {
        Object.keys(now).forEach(function (k) {
          if (k in last && last[k] !== now[k]) changed[k] = true;
        });
      }
      last = now;
      return changed;
    };
  }

  /* The short tag before each line of the timeline. */
  var TAGS = { intervention: 'command', trigger: 'trigger', event: 'event' };

  /* One line of the timeline, as words. */
  function eventText(state, e) {
    switch (e.kind) {
      case 'news': return e.text || '';
      case 'move':
        return actorName(state, e.actor) + ': ' + e.move
          + (e.target ? ' \u2192 ' + e.target : '');
      case 'trigger': case 'event': return e.kind + ' ' + (e.id || '');
      case 'set':
        return e['var'] + ' ' + (e.old_text || e.old) + ' \u2192 '
          + (e.new_text || e['new'])
          + (e.cause ? ' (' + e.cause + ')' : '');
      case 'intervention': return e.command || '';
      case 'error': return (e.where ? e.where + ': ' : '') + (e.message || '');
      case 'end': return 'The exercise ends: ' + (e.outcome || '');
      default: return e.text || e.id || JSON.stringify(e);
    }
  }

  /* The timeline grouped by turn, newest turn first; kinds filters. */
  function renderTimeline(list, state, opts) {
    opts = opts || {};
    var items = state.timeline || [];
    if (opts.kinds) {
      items = items.filter(function (e) { return opts.kinds.indexOf(e.kind) >= 0; });
    }
    clear(list);
    if (!items.length) {
      list.appendChild(el('li', { class: 'empty' }, 'Nothing has happened yet.'));
      return;
    }
    var turns = [], byTurn = {};
    items.forEach(function (e) {
      var k = String(e.turn);
      if (!byTurn[k]) { byTurn[k] = { date: e.date, items: [] }; turns.push(k); }
      byTurn[k].items.push(e);
    });
    turns.reverse().forEach(function (k) {
      var inner = el('ul');
      byTurn[k].items.forEach(function (e) {
        inner.appendChild(el('li', {
          class: 'ev ' + e.kind,
          'data-kind': e.kind, 'data-turn': e.turn,
          'data-actor': e.kind === 'move' ? e.actor : null,
          'data-move': e.kind === 'move' ? e.move : null,
          'data-target': e.kind === 'move' ? (e.target || '') : null
        }, el('span', { class: 'tag' }, TAGS[e.kind] || e.kind), eventText(state, e)));
      });
      list.appendChild(el('li', { class: 'turn', 'data-turn': k },
        el('div', { class: 'turn-head' }, 'Turn ' + k,
          el('span', null, niceDate(byTurn[k].date))), inner));
    });
  }

  /* Who sits and who has moved this turn. */
  function renderSeats(list, state) {
    clear(list);
    (state.seats || []).forEach(function (s) {
      var mark = s.moved ? 'moved' : state.awaiting === s.actor ? 'to move' : 'waiting';
      list.appendChild(el('li', {
        'data-actor': s.actor, 'data-moved': s.moved ? 'true' : 'false',
        class: s.moved ? 'moved' : state.awaiting === s.actor ? 'awaiting' : ''
      }, el('b', null, s.actor), ' ', s.name || '', el('span', { class: 'mark' }, mark)));
    });
  }

  /* Legal moves as buttons (onMove(option) when pressed), illegal ones
   * with their reasons. */
  function renderOptions(box, illegal, options, onMove, disabled) {
    clear(box);
    if (illegal) clear(illegal);
    var legal = (options || []).filter(function (o) { return o.legal; });
    (options || []).forEach(function (o) {
      if (o.legal) {
        box.appendChild(el('button', {
          type: 'button', class: 'move',
          'data-move': o.move, 'data-target': o.target || '',
          disabled: disabled ? true : null,
          onclick: function () { onMove(o); }
        }, el('span', { class: 'label' }, o.label || (o.move
          + (o.target ? ' ' + o.target : ''))),
        el('span', { class: 'doc' }, o.doc || '')));
      } else if (illegal) {
        illegal.appendChild(el('li', {
          'data-move': o.move, 'data-target': o.target || ''
        }, el('span', { class: 'label' }, o.label || o.move),
        el('span', { class: 'reason' }, o.reason || 'not allowed now')));
      }
    });
    return legal.length;
  }

  return {
    api: api, $: $, el: el, clear: clear, setText: setText,
    showError: showError, live: live, renderHeader: renderHeader,
    renderValues: renderValues, renderTimeline: renderTimeline,
    renderSeats: renderSeats, renderOptions: renderOptions,
    differ: differ, actorName: actorName, eventText: eventText,
    niceDate: niceDate, breakable: breakable
  };
})();
