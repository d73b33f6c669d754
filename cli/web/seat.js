/* seat.js: one team's page.  See brink.js for the element ids. */
'use strict';

(function () {
  var B = Brink;
  var last = null, sending = false, changedOf = B.differ(), changed = {};

  function render(state) {
    last = state;
    B.renderHeader(state, state.actor || 'seat');
    B.setText('actor', (state.name || state.actor || '')
      + (state.name && state.actor ? ' (' + state.actor + ')' : ''));
    B.setText('brief', reflow(state.brief) || 'No brief for this actor.');
    /* The scenario's brief: "description" in the contract, "brief" in
     * brink_session_view; either will do. */
    var sc = state.scenario || {};
    var situation = sc.description || sc.brief || '';
    B.setText('situation', reflow(situation));
    B.$('situation-box').hidden = !situation;
    changed = changedOf(state.values);
    drawValues();
    B.renderSeats(B.$('seats'), state);
    B.renderTimeline(B.$('timeline'), state);

    /* The view has the seat's moves also while others move, for the team
     * to talk over: shown then, but only pressable on its turn. */
    var over = state.status === 'ended' || state.status === 'stopped';
    var opts = over ? [] : state.options || [];
    var n = B.renderOptions(B.$('options'), B.$('illegal'), opts, move,
      sending || !state.your_turn);
    B.$('illegal-head').hidden = !B.$('illegal').firstChild;
    var note;
    if (state.status === 'ended' || state.status === 'stopped') {
      note = 'No more moves: the exercise is over.';
    } else if (state.your_turn) {
      note = n ? 'Choose one move; it is final once sent.'
        : 'No move is open to you now.';
    } else if (state.status === 'held') {
      note = 'The facilitator holds the turn.';
    } else if (n) {
      note = 'Your moves as they stand now, to talk over: you can send one '
        + 'when your turn comes.';
    } else {
      note = 'Your moves appear here when it is your turn.';
    }
    B.setText('moves-note', note);
    B.$('moves-card').classList.toggle('active', !!state.your_turn);
    B.$('status').classList.toggle('yours', !!state.your_turn);
  }

  /* A scenario's text is wrapped for a terminal: its single line breaks
   * become spaces, its blank lines stay paragraph breaks (pre-line). */
  function reflow(text) {
    return String(text || '').replace(/[ \t]*\n(?!\n)(?=\S)/g, function (m, i, all) {
      return i > 0 && all.charAt(i - 1) !== '\n' ? ' ' : m;
    });
  }

  function drawValues() {
    if (!last) return;
    B.renderValues(B.$('values'), last.values, {
      seats: last.seats, filter: B.$('filter').value,
      relations: B.$('show-rel').checked, changed: changed
    });
  }

  function move(o) {
    if (sending) return;
    sending = true;
    B.showError('', 'action');
    Array.prototype.forEach.call(B.$('options').querySelectorAll('button'),
      function (b) { b.disabled = true; });
    B.setText('moves-note', 'Sending ' + (o.label || o.move) + '\u2026');
    var body = { move: o.move };
    if (o.target) body.target = o.target;
    B.api('POST', 'api/move', body).then(function (answer) {
      sending = false;
      if (answer.state) view.show(answer.state);
    }, function (err) {
      sending = false;
      B.showError('The move was refused: ' + err.message);
      view.reload();
    });
  }

  B.$('filter').addEventListener('input', drawValues);
  B.$('show-rel').addEventListener('change', drawValues);
  var view = B.live(render);
})();
