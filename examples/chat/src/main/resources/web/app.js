// wscluster chat page: plain JavaScript, no build step. Speaks chat-protocol.md over one WebSocket.
(function () {
  'use strict';

  const $ = (id) => document.getElementById(id);
  const USER = /^[A-Za-z0-9_.-]{1,64}$/;
  const ROOM = /^[A-Za-z0-9_.:-]{1,128}$/;
  const RECONNECT_CODES = new Set([1001, 1006, 1011, 1012, 1013]); // going away, lost, server trouble
  const LAST = 50;             // messages shown when entering a room

  let ws = null;
  let user = null;
  let wanted = false;          // the user wants to be connected (reconnect after a drain)
  let retries = 0;
  const rooms = new Set();     // rooms this page has joined (re-joined after a reconnect)
  let active = null;           // the room messages are sent to
  let node = null;             // the node holding this page's WebSocket, from the last joined frame
  let cluster = '';            // members and sessions from /health (cluster-wide: any node may answer)
  // Room history: the position (offset, epoch) of the last message seen in each room. After a reconnect the
  // page joins again with since, and the node replays what was missed, once, in order, before joined.
  // A resume the cluster could not serve yet (error unavailable, e.g. just after a node died) is tried
  // again: leave first (a failed join may have left the membership written, and a join on a room the
  // connection is already in replays nothing), then join with since again.
  const positions = new Map(); // room -> { offset, epoch }
  const resuming = new Set();  // rooms whose resume has not been answered yet
  const quietLeaves = new Set(); // rooms left only to retry their resume: their left frame changes nothing
  let lost = false;            // a resume of this reconnect was answered recovered:false
  let resumeRetry = null;      // the timer of the next resume attempt
  let resumeAttempts = 0;

  $('user').value = 'guest-' + Math.floor(Math.random() * 9000 + 1000);

  // auth.js, written by the node at start-up, says how it authenticates: 'token' or 'demo'.
  const AUTH = window.wsclusterChatAuth === 'token' ? 'token' : 'demo';
  if (AUTH === 'token') {
    $('mode').textContent = 'This node requires a token: paste a JWT (its sub is your user name) and connect.';
    $('mode').className = 'mode token';
  } else {
    $('mode').textContent = 'Demo mode: this node trusts the user name as given (?user=), so anyone can connect as anyone.'
      + ' Start it with --auth-secret-file to require tokens; a token given here is still sent.';
    $('mode').className = 'mode demo';
  }

  // The token's sub, read without verifying (the node verifies): only to name "you" on the page.
  function subjectOf(token) {
    try {
      const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      const sub = JSON.parse(atob(payload + '='.repeat((4 - payload.length % 4) % 4))).sub;
      return typeof sub === 'string' ? sub : null;
    } catch (e) {
      return null;
    }
  }

  function log(cls, parts) {
    const li = document.createElement('li');
    li.className = cls;
    for (const [text, partCls] of parts) {
      const span = document.createElement('span');
      if (partCls) span.className = partCls;
      span.textContent = text;
      li.appendChild(span);
    }
    const box = $('log');
    const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 5;
    box.appendChild(li);
    while (box.children.length > 500) box.removeChild(box.firstChild);
    if (atBottom) box.scrollTop = box.scrollHeight;
  }
  const info = (text) => log('info', [[text]]);

  function status(text, cls) {
    $('status').textContent = text;
    $('status').className = 'status ' + (cls || '');
  }

  function sync(text, cls) {
    $('sync').textContent = text;
    $('sync').className = 'sync ' + (cls || '');
  }

  // Keeps the highest position seen per room; a new epoch replaces the old one (the room started over).
  // Returns false for a message at or below the known position of its epoch (already shown).
  function advance(room, offset, epoch) {
    if (typeof offset !== 'number' || typeof epoch !== 'string') return true;
    const known = positions.get(room);
    if (known && known.epoch === epoch && offset <= known.offset) return false;
    positions.set(room, { offset, epoch });
    return true;
  }

  function resumeFrame(room) {
    const at = positions.get(room);
    return { op: 'join', room, since: { offset: at.offset, epoch: at.epoch } };
  }

  // After an unavailable error while rooms are still resuming: one retry round for all of them, backing off.
  function retryResumes() {
    if (resumeRetry || resuming.size === 0) return;
    const delay = Math.min(3000, 250 * 2 ** resumeAttempts++);
    const socket = ws;
    resumeRetry = setTimeout(() => {
      resumeRetry = null;
      if (ws !== socket) return; // a new connection resumes on its own
      for (const room of resuming) {
        quietLeaves.add(room);
        send({ op: 'leave', room });
        send(resumeFrame(room));
      }
    }, delay);
  }

  function caughtUp() {
    resumeAttempts = 0;
    if (lost) sync('caught up, some messages were lost', 'warn');
    else sync('caught up', 'ok');
  }

  function setConnected(on) {
    $('connect').disabled = on;
    $('user').disabled = on;
    $('token').disabled = on;
    $('disconnect').disabled = !on && !wanted;
    $('join').disabled = !on;
    $('message').disabled = !on;
    $('send').disabled = !on;
  }

  function send(frame) {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
  }

  function renderRooms() {
    const ul = $('rooms');
    ul.textContent = '';
    for (const room of [...rooms].sort()) {
      const li = document.createElement('li');
      li.dataset.room = room;
      if (room === active) li.className = 'active';
      const name = document.createElement('span');
      name.textContent = room;
      const leave = document.createElement('button');
      leave.textContent = 'leave';
      leave.addEventListener('click', (e) => { e.stopPropagation(); send({ op: 'leave', room }); });
      li.append(name, leave);
      li.addEventListener('click', () => { active = room; renderRooms(); who(); });
      ul.appendChild(li);
    }
    $('members-room').textContent = active ? active : '';
    if (!active) $('members').textContent = '';
  }

  function who() {
    if (active) send({ op: 'who', room: active });
  }

  function connect() {
    const token = $('token').value.trim();
    let path;
    if (token) {
      // the user is the token's sub; no user parameter, so it cannot disagree
      user = subjectOf(token) || '?';
      path = '/chat?access_token=' + encodeURIComponent(token);
    } else if (AUTH === 'token') {
      status('this node needs a token', 'error');
      return;
    } else {
      const name = $('user').value.trim();
      if (!USER.test(name)) {
        status('a user name is 1..64 of A-Z a-z 0-9 _ . -', 'error');
        return;
      }
      user = name;
      path = '/chat?user=' + encodeURIComponent(user);
    }
    wanted = true;
    let opened = false;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    ws = new WebSocket(scheme + '://' + location.host + path);
    status('connecting...');
    ws.onopen = () => {
      opened = true;
      retries = 0;
      status('connected as ' + user, 'online');
      setConnected(true);
      refreshCluster();
      resuming.clear();
      quietLeaves.clear();
      lost = false;
      clearTimeout(resumeRetry);
      resumeRetry = null;
      resumeAttempts = 0;
      for (const room of rooms) {
        if (positions.has(room)) {
          resuming.add(room);
          send(resumeFrame(room));
        } else {
          // history is off on this node (no position was ever given): a plain rejoin
          send({ op: 'join', room, last: LAST });
        }
      }
      sync(resuming.size ? 'catching up…' : '', resuming.size ? 'pending' : '');
    };
    ws.onmessage = (event) => onFrame(JSON.parse(event.data));
    ws.onclose = (event) => {
      setConnected(false);
      ws = null;
      node = null;
      renderNode();
      const why = event.code + (event.reason ? ' ' + event.reason : '');
      if (!opened && token) {
        // a refused handshake: retrying with the same token cannot help
        wanted = false;
        status('refused: the token is invalid, expired or not for this node', 'error');
        return;
      }
      if (wanted && RECONNECT_CODES.has(event.code)) {
        const delay = Math.min(5000, 300 * 2 ** retries++) * (0.5 + Math.random());
        status('closed (' + why + '), reconnecting...', 'error');
        if (rooms.size) sync('reconnecting…', 'pending');
        info('connection closed (' + why + '); reconnecting through the balancer');
        setTimeout(() => { if (wanted) connect(); }, delay);
      } else {
        wanted = false;
        setConnected(false);
        sync('');
        status('disconnected (' + why + ')', event.code === 1000 ? '' : 'error');
      }
    };
  }

  function onFrame(f) {
    switch (f.op) {
      case 'msg':
        if (!advance(f.room, f.offset, f.epoch)) break;
        log('msg', [['[' + f.room + '] ', 'room'], [f.from, 'from'], [': ' + f.body]]);
        break;
      case 'direct':
        log('direct', [['(direct) ', 'room'], [f.from, 'from'], [': ' + f.body]]);
        break;
      case 'joined':
        if (typeof f.node === 'string' && f.node !== node) {
          node = f.node;
          renderNode();
        }
        if (!rooms.has(f.room)) info('joined ' + f.room);
        if (resuming.has(f.room) && typeof f.offset === 'number' && f.recovered === undefined) {
          // A resume answered as a repeated join (no recovered field): the connection was still a member
          // after a failed attempt, and nothing was replayed. Keep the position; leave and resume again.
          retryResumes();
          break;
        }
        if (typeof f.offset === 'number' && typeof f.epoch === 'string') {
          const known = positions.get(f.room);
          if (f.recovered === false || !known || known.epoch !== f.epoch || known.offset < f.offset) {
            // recovered:false: the room goes on from here (maybe in a new epoch, maybe below what was known)
            positions.set(f.room, { offset: f.offset, epoch: f.epoch });
          }
        }
        if (resuming.delete(f.room)) {
          if (f.recovered === false) {
            lost = true;
            info('messages of ' + f.room + ' sent while this page was away could not be recovered'
              + ' (the room\'s history no longer holds them)');
          }
          if (resuming.size === 0) caughtUp();
        }
        rooms.add(f.room);
        if (!active) active = f.room;
        renderRooms();
        who();
        break;
      case 'left':
        if (quietLeaves.delete(f.room)) break;
        rooms.delete(f.room);
        positions.delete(f.room);
        info('left ' + f.room);
        if (active === f.room) active = rooms.size ? [...rooms][0] : null;
        renderRooms();
        who();
        break;
      case 'members':
        if (f.room === active) {
          const ul = $('members');
          ul.textContent = '';
          for (const u of f.users) {
            const li = document.createElement('li');
            li.textContent = u === user ? u + ' (you)' : u;
            ul.appendChild(li);
          }
        }
        break;
      case 'error':
        log('error', [[f.code + ': ' + f.reason]]);
        if (f.code === 'unavailable') retryResumes();
        break;
      default:
        // Unknown server frames are ignored, as the protocol asks.
    }
  }

  // The badge names the node that holds this page's WebSocket: the server says it in each joined frame.
  // /health cannot tell: behind a balancer that request may go to any node. It still gives the
  // cluster-wide counts, which are the same whichever node answers.
  function renderNode() {
    const where = node ? 'node ' + node : (ws ? 'node ? (join a room)' : 'node ? (not connected)');
    $('node').textContent = where + cluster;
  }

  function refreshCluster() {
    fetch('/health', { cache: 'no-store' })
      .then((r) => r.json())
      .then((h) => { cluster = ' · ' + h.members + ' members · ' + h.clusterSessions + ' sessions'; })
      .catch(() => { cluster = ' · cluster unreachable'; })
      .then(renderNode);
  }

  $('connect').addEventListener('click', connect);
  $('user').addEventListener('keydown', (e) => { if (e.key === 'Enter') connect(); });
  $('token').addEventListener('keydown', (e) => { if (e.key === 'Enter') connect(); });
  $('disconnect').addEventListener('click', () => {
    wanted = false;
    if (ws) ws.close(1000, 'bye');
    setConnected(false);
    sync('');
  });
  $('join-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const room = $('room').value.trim();
    if (!ROOM.test(room)) {
      log('error', [['a room name is 1..128 of A-Z a-z 0-9 _ . : -']]);
      return;
    }
    active = room;
    // The room's latest messages come first, then live ones. A room already joined replays nothing; for
    // another, forget any position left from an earlier visit, so that the replay is shown.
    if (!rooms.has(room)) positions.delete(room);
    send({ op: 'join', room, last: LAST });
  });
  $('send-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('message').value;
    const direct = /^@([A-Za-z0-9_.-]{1,64})\s+([\s\S]*)$/.exec(text);
    if (direct) {
      send({ op: 'direct', to: direct[1], body: direct[2] });
      log('direct', [['(to ' + direct[1] + ') ', 'room'], [direct[2]]]);
    } else if (active) {
      send({ op: 'send', room: active, body: text });
    } else {
      log('error', [['join a room first']]);
      return;
    }
    $('message').value = '';
  });

  refreshCluster();
  setInterval(refreshCluster, 5000);
  setInterval(who, 3000);
  setConnected(false);
})();
