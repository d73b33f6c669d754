/* facilitator.js: the white cell's console.  See brink.js for the ids. */
'use strict';

(function () {
  var B = Brink;
  var last = null, changedOf = B.differ(), changed = {};
  var history = [], back = 0;

  /* Each form's fields as the command of brink play it stands for. */
  var BUILD = {
    set: function (f) { return '/set ' + f['var'] + ' ' + f.value; },
    news: function (f) { return '/news ' + f.text; },
    fire: function (f) {
      if (f.data) {
        try { JSON.parse(f.data); } catch (e) {
          throw new Error('the data of /fire is not JSON: ' + e.message);
        }
      }
      return '/fire ' + f.name + (f.data ? ' ' + f.data : '');
    },
    odds: function (f) { return '/odds ' + f.move + ' ' + f.p; },
    undo: function (f) { return '/undo' + (f.n !== '' ? ' ' + f.n : ''); },
    branch: function (f) { return '/branch ' + f.name; },
    why: function (f) { return '/why ' + f['var']; },
    save: function (f) { return '/save ' + f.file; },
    load: function (f) { return '/load ' + (f.force ? '--force ' : '') + f.file; },
    report: function (f) { return '/report ' + f.file; }
  };

  function fields(form) {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (e) {
      if (!e.name) return;
      out[e.name] = e.type === 'checkbox' ? e.checked : e.value.trim();
    });
    return out;
  }

  /* Runs one command; shows what the session said in #said. */
  function run(command) {
    command = command.replace(/[\r\n]+/g, ' ').trim();
    if (!command) return Promise.resolve(null);
    if (command.charAt(0) !== '/') command = '/' + command;
    B.showError('', 'action');
    var entry = B.el('div', { class: 'said-entry pending', 'data-command': command },
      B.el('div', { class: 'said-cmd' }, command));
    var out = B.el('pre', { class: 'said-text' }, '\u2026');
    entry.appendChild(out);
    var pane = B.$('said');
    pane.appendChild(entry);
    pane.scrollTop = pane.scrollHeight;
    return B.api('POST', 'api/command', { command: command }).then(function (a) {
      entry.classList.remove('pending');
      entry.classList.add('ok');
      out.textContent = a.said || '(done)';
      if (a.state) view.show(a.state);
      pane.scrollTop = pane.scrollHeight;
      return a;
    }, function (err) {
      entry.classList.remove('pending');
      entry.classList.add('err');
      out.textContent = (err.body && err.body.said ? err.body.said + '\n' : '')
        + 'refused: ' + err.message;
      B.showError(command + ': ' + err.message, 'action');
      pane.scrollTop = pane.scrollHeight;
      return null;
    });
  }

  function render(state) {
    last = state;
    B.renderHeader(state, 'facilitator');
    changed = changedOf(state.values);
    fillAs(state);
    if (B.$('as').value) fetchAs(); else drawValues();
    drawTimeline();
    B.renderSeats(B.$('seats'), state);

    var on = !!state.held, hold = B.$('hold');
    hold.setAttribute('aria-pressed', on ? 'true' : 'false');
    hold.setAttribute('data-held', on ? 'true' : 'false');
    hold.textContent = on ? (state.status === 'held'
      ? 'Held \u2014 release the turn' : 'Hold is on \u2014 release')
      : 'Hold the turn';
    hold.disabled = state.status === 'ended' || state.status === 'stopped';

    B.setText('awaiting-name', state.awaiting
      ? B.actorName(state, state.awaiting) + ' (' + state.awaiting + ')'
      : 'the actor to move');
    B.renderOptions(B.$('options'), B.$('illegal'), state.options || [], moveFor);
    B.$('illegal-head').hidden = !B.$('illegal').firstChild;

    var trail = B.clear(B.$('trail'));
    (state.trail || []).forEach(function (t) {
      trail.appendChild(B.el('li', { 'data-turn': t.turn },
        B.el('span', { class: 'tag' }, 'turn ' + t.turn), B.el('code', null, t.command)));
    });
    if (!trail.firstChild) trail.appendChild(B.el('li', { class: 'empty' }, 'No interventions yet.'));
    var br = B.clear(B.$('branches'));
    (state.branches || []).forEach(function (b) {
      br.appendChild(B.el('li', { 'data-branch': b.name },
        B.el('b', null, b.name), ' at turn ' + b.turn));
    });
    if (!br.firstChild) br.appendChild(B.el('li', { class: 'empty' }, 'None.'));

    fillList('var-names', (state.values || []).map(function (v) { return v.name; }));
    fillList('move-names', (state.options || []).map(function (o) { return o.move; }));
  }

  function fillList(id, names) {
    var list = B.clear(B.$(id)), seen = {};
    names.forEach(function (n) {
      if (seen[n]) return;
      seen[n] = true;
      list.appendChild(B.el('option', { value: n }));
    });
  }

  /* The values as the white cell sees them, or as the seat chosen in #as
   * sees them (GET /api/state?as=ACTOR), fetched again at each change. */
  var asView = null, asBusy = false;

  function drawValues() {
    if (!last) return;
    var as = B.$('as').value;
    B.setText('values-who', as ? 'as ' + as + ' sees them' : '(exact)');
    var view = as && asView && asView.actor === as ? asView : null;
    B.renderValues(B.$('values'), view ? view.values : last.values, {
      seats: last.seats, filter: B.$('filter').value,
      relations: B.$('show-rel').checked, exact: !as,
      changed: as ? {} : changed
    });
  }

  function fetchAs() {
    var as = B.$('as').value;
    if (!as || asBusy) { drawValues(); return; }
    asBusy = true;
    B.api('GET', 'api/state?as=' + encodeURIComponent(as)).then(function (v) {
      asBusy = false;
      asView = v;
      if (!v.actor) v.actor = as;
      drawValues();
    }, function (err) {
      asBusy = false;
      B.showError('Could not see as ' + as + ': ' + err.message, 'action');
    });
  }

  function fillAs(state) {
    var sel = B.$('as'), want = sel.value;
    var have = Array.prototype.map.call(sel.options, function (o) { return o.value; });
    var seats = [''].concat((state.seats || []).map(function (s) { return s.actor; }));
    if (have.join() === seats.join()) return;
    B.clear(sel);
    seats.forEach(function (a) {
      sel.appendChild(B.el('option', { value: a }, a ? 'as ' + a : 'everything'));
    });
    sel.value = seats.indexOf(want) >= 0 ? want : '';
  }

  function drawTimeline() {
    if (!last) return;
    var all = B.$('show-sets').checked;
    B.renderTimeline(B.$('timeline'), last, all ? null : {
      kinds: ['news', 'move', 'trigger', 'event', 'intervention', 'error', 'end']
    });
  }

  function moveFor(o) {
    var body = { move: o.move, actor: last && last.awaiting };
    if (o.target) body.target = o.target;
    B.showError('', 'action');
    B.api('POST', 'api/move', body).then(function (a) {
      if (a.state) view.show(a.state);
    }, function (err) {
      B.showError('The move was refused: ' + err.message, 'action');
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll('form[data-cmd]'), function (form) {
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var command;
      try {
        command = BUILD[form.getAttribute('data-cmd')](fields(form));
      } catch (e) {
        B.showError(e.message, 'action');
        return;
      }
      run(command);
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll('button[data-run]'), function (b) {
    b.addEventListener('click', function () { run(b.getAttribute('data-run')); });
  });

  var line = B.$('cmdline');
  B.$('cmdline-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var c = line.value;
    if (!c.trim()) return;
    history.push(c);
    back = history.length;
    line.value = '';
    run(c);
  });
  line.addEventListener('keydown', function (ev) {
    if (ev.key === 'ArrowUp' && back > 0) {
      back--; line.value = history[back]; ev.preventDefault();
    } else if (ev.key === 'ArrowDown' && back < history.length) {
      back++; line.value = back < history.length ? history[back] : ''; ev.preventDefault();
    }
  });

  B.$('hold').addEventListener('click', function () {
    run(last && last.held ? '/release' : '/hold');
  });
  B.$('said-clear').addEventListener('click', function () { B.clear(B.$('said')); });
  B.$('filter').addEventListener('input', drawValues);
  B.$('show-rel').addEventListener('change', drawValues);
  B.$('as').addEventListener('change', fetchAs);
  B.$('show-sets').addEventListener('change', drawTimeline);
  var view = B.live(render);
})();
