'use strict';
/*
 * The classic design of a clustered chat, as a baseline for wscluster's load generator: one Node.js
 * process per node on the `ws` library, Redis pub/sub between the nodes. It speaks the chat
 * protocol of examples/chat/PROTOCOL.md (protocol 1: join, leave, send, direct, who and the error
 * frames), without room history: `since` and `last` are validated and replay nothing, as on a chat
 * node started with `--history-size 0`, so `msg` and `joined` carry no `offset` or `epoch`.
 *
 * Routing:
 * - A room R is the Redis channel `r:R`. A node subscribes to it while it holds at least one member
 *   of R and answers `joined` only once Redis confirmed the subscription, so a send from any node
 *   reaches the new member from then on. A send publishes the finished `msg` frame once; every
 *   subscribed node writes it to its local members as it is.
 * - Direct messages go over one channel `d` that every node subscribes to at start ("USER FRAME");
 *   each node writes the frame to its own connections of USER. That is how the socket.io Redis
 *   adapter routes too: no per-user lookup or subscription, a user is reachable as soon as its
 *   handshake is done, and every node reads every direct (fine for a few nodes).
 * - `who` reads a Redis hash per room, user -> connections in the room, kept by HINCRBY on join
 *   and a small script on leave/close. A node that is killed leaves its counts behind (no cleanup).
 *
 * Per connection, frames are handled in arrival order: while a join, leave or who waits for Redis,
 * later frames of that connection wait behind it, so replies keep the order of the frames.
 * There is no bound on what the server queues for a slow client (ws buffers it).
 *
 * Usage: node server.js --port P [--host 127.0.0.1] [--redis-port 6379] [--redis-host 127.0.0.1]
 *        [--node ID] [--rate-limit 200] [--rate-burst 600] [--max-message-bytes 65536]
 * Prints `READY <port>` once it listens and is subscribed.
 */
const http = require('http');
const crypto = require('crypto');
const { WebSocketServer } = require('ws');
const Redis = require('ioredis');

const opts = parseArgs(process.argv.slice(2));
const PORT = Number(opts.port);
const HOST = opts.host || '127.0.0.1';
const NODE_ID = opts.node || crypto.randomBytes(5).toString('hex');
const RATE = Number(opts['rate-limit'] ?? 200);
const BURST = Number(opts['rate-burst'] ?? 600);
const MAX_MESSAGE = Number(opts['max-message-bytes'] ?? 65536);
const redisOptions = { host: opts['redis-host'] || '127.0.0.1', port: Number(opts['redis-port'] || 6379) };

const USER_RE = /^[A-Za-z0-9_.-]{1,64}$/;
const ROOM_RE = /^[A-Za-z0-9_.:-]{1,128}$/;
const DIRECT_CHANNEL = 'd';

const pub = new Redis(redisOptions);
const sub = new Redis(redisOptions);
pub.defineCommand('leaveCount', {
    numberOfKeys: 1,
    lua: "local n = redis.call('HINCRBY', KEYS[1], ARGV[1], -1) if n <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end return n",
});

/** room -> { members: Set<ws>, ready: Promise of the subscription } for rooms with local members */
const rooms = new Map();
/** user -> Set<ws> of this node's connections */
const users = new Map();
let sessions = 0;

function parseArgs(argv) {
    const o = {};
    for (let i = 0; i < argv.length; i++) {
        if (!argv[i].startsWith('--') || i + 1 >= argv.length) {
            throw new Error('usage: node server.js --port P [--redis-port R] ...; bad argument ' + argv[i]);
        }
        o[argv[i].slice(2)] = argv[++i];
    }
    if (!o.port) {
        throw new Error('--port is required');
    }
    return o;
}

// ---- HTTP: /health, refusals ----------------------------------------------------------------------

const STATUS = { 400: 'Bad Request', 404: 'Not Found', 503: 'Service Unavailable' };

function refuse(socket, status, text) {
    const body = Buffer.from(text, 'utf8');
    socket.end(`HTTP/1.1 ${status} ${STATUS[status]}\r\nContent-Type: text/plain; charset=utf-8\r\n`
        + `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n` + text);
}

const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/health') {
        pub.pubsub('NUMSUB', DIRECT_CHANNEL).then(
            (r) => health(res, 200, Number(r[1])),
            () => health(res, 503, 0));
        return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain', 'Content-Length': 10, Connection: 'close' });
    res.end('not found\n');
});

function health(res, status, members) {
    const body = JSON.stringify({ node: NODE_ID, members, localSessions: sessions });
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
}

const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE, perMessageDeflate: false, clientTracking: false });

server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy()); // a client that resets a refused socket must not end the process
    const q = req.url.indexOf('?');
    const path = q < 0 ? req.url : req.url.slice(0, q);
    if (path !== '/chat') {
        refuse(socket, path.split('/').some((s) => s === '..' || s.toLowerCase() === '%2e%2e') ? 400 : 404, 'not found\n');
        return;
    }
    const params = new URLSearchParams(q < 0 ? '' : req.url.slice(q + 1));
    const given = params.getAll('user');
    if (given.length !== 1 || !USER_RE.test(given[0])) {
        refuse(socket, 400, given.length === 0 ? 'missing user parameter\n'
            : given.length > 1 ? 'repeated user parameter\n' : 'invalid user name\n');
        return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => opened(ws, given[0]));
});

// ---- connections --------------------------------------------------------------------------------

function opened(ws, user) {
    sessions++;
    ws.user = user;
    ws.rooms = new Set();
    ws.tokens = BURST;
    ws.refilled = Date.now();
    ws.pending = 0;
    ws.tail = null;
    let mine = users.get(user);
    if (!mine) {
        mine = new Set();
        users.set(user, mine);
    }
    mine.add(ws);
    ws.on('message', (data, isBinary) => received(ws, data, isBinary));
    ws.on('close', () => closed(ws));
    ws.on('error', () => { /* ws closes the socket with the right code itself */ });
}

function closed(ws) {
    sessions--;
    const mine = users.get(ws.user);
    if (mine) {
        mine.delete(ws);
        if (mine.size === 0) {
            users.delete(ws.user);
        }
    }
    for (const room of ws.rooms) {
        dropMember(ws, room);
        pub.leaveCount('m:' + room, ws.user).catch(() => {});
    }
    ws.rooms.clear();
}

function received(ws, data, isBinary) {
    if (isBinary) {
        ws.close(1003, 'binary frames are not supported');
        return;
    }
    if (ws.pending === 0) {
        const p = handle(ws, data);
        if (p) {
            queued(ws, p);
        }
    } else {
        queued(ws, ws.tail.then(() => handle(ws, data)));
    }
}

function queued(ws, p) {
    ws.pending++;
    const done = () => { ws.pending--; };
    ws.tail = p.then(done, done);
}

function reply(ws, frame) {
    ws.send(JSON.stringify(frame));
}

function error(ws, code, reason) {
    reply(ws, { op: 'error', code, reason });
}

/** @returns a Promise while the frame waits for Redis, else undefined */
function handle(ws, data) {
    let f;
    try {
        f = JSON.parse(data.toString('utf8'));
    } catch (e) {
        return error(ws, 'bad_request', 'not JSON');
    }
    if (f === null || typeof f !== 'object' || Array.isArray(f)) {
        return error(ws, 'bad_request', 'a frame is one JSON object');
    }
    switch (f.op) {
        case 'send': return send(ws, f);
        case 'direct': return direct(ws, f);
        case 'join': return join(ws, f);
        case 'leave': return leave(ws, f);
        case 'who': return who(ws, f);
        default: return error(ws, 'bad_request', typeof f.op === 'string' ? 'unknown op ' + f.op.slice(0, 40) : 'missing op');
    }
}

function badRoom(ws, room) {
    if (typeof room !== 'string' || !ROOM_RE.test(room)) {
        error(ws, 'bad_request', typeof room === 'string' ? 'invalid room name' : 'room must be a string');
        return true;
    }
    return false;
}

/** Token bucket: RATE tokens a second, at most BURST; RATE 0 = no limit. */
function takeToken(ws) {
    if (RATE <= 0) {
        return true;
    }
    const now = Date.now();
    ws.tokens = Math.min(BURST, ws.tokens + (now - ws.refilled) * RATE / 1000);
    ws.refilled = now;
    if (ws.tokens < 1) {
        error(ws, 'rate_limited', 'over the rate limit of ' + RATE + ' messages per second');
        return false;
    }
    ws.tokens -= 1;
    return true;
}

function send(ws, f) {
    if (badRoom(ws, f.room)) {
        return;
    }
    if (typeof f.body !== 'string') {
        return error(ws, 'bad_request', 'body must be a string');
    }
    if (!ws.rooms.has(f.room)) {
        return error(ws, 'not_member', 'not a member of ' + f.room);
    }
    if (!takeToken(ws)) {
        return;
    }
    const frame = JSON.stringify({ op: 'msg', room: f.room, from: ws.user, body: f.body });
    pub.publish('r:' + f.room, frame).catch(() => error(ws, 'unavailable', 'redis did not take the message'));
}

function direct(ws, f) {
    if (typeof f.to !== 'string' || !USER_RE.test(f.to)) {
        return error(ws, 'bad_request', typeof f.to === 'string' ? 'invalid user name' : 'to must be a string');
    }
    if (typeof f.body !== 'string') {
        return error(ws, 'bad_request', 'body must be a string');
    }
    if (!takeToken(ws)) {
        return;
    }
    const frame = JSON.stringify({ op: 'direct', from: ws.user, body: f.body });
    pub.publish(DIRECT_CHANNEL, f.to + ' ' + frame).catch(() => error(ws, 'unavailable', 'redis did not take the message'));
}

function badReplay(ws, f) {
    if (f.since !== undefined && f.last !== undefined) {
        error(ws, 'bad_request', 'since and last exclude each other');
        return true;
    }
    if (f.since !== undefined) {
        const s = f.since;
        if (s === null || typeof s !== 'object' || Array.isArray(s) || !Number.isInteger(s.offset) || s.offset < 0
            || typeof s.epoch !== 'string' || s.epoch.length < 1 || s.epoch.length > 64) {
            error(ws, 'bad_request', 'since must be {"offset":N>=0,"epoch":"1..64 characters"}');
            return true;
        }
    }
    if (f.last !== undefined && (!Number.isInteger(f.last) || f.last < 0 || f.last > 1000)) {
        error(ws, 'bad_request', 'last must be an integer from 0 to 1000');
        return true;
    }
    return false;
}

function join(ws, f) {
    if (badRoom(ws, f.room) || badReplay(ws, f)) {
        return;
    }
    const room = f.room;
    const joined = { op: 'joined', room, node: NODE_ID };
    if (ws.rooms.has(room)) {
        return reply(ws, joined);
    }
    let state = rooms.get(room);
    if (!state) {
        state = { members: new Set(), ready: sub.subscribe('r:' + room) };
        rooms.set(room, state);
    }
    state.members.add(ws);
    ws.rooms.add(room);
    return Promise.all([state.ready, pub.hincrby('m:' + room, ws.user, 1)])
        .then(() => reply(ws, joined), () => error(ws, 'unavailable', 'redis did not confirm the join'));
}

function dropMember(ws, room) {
    const state = rooms.get(room);
    if (state) {
        state.members.delete(ws);
        if (state.members.size === 0) {
            rooms.delete(room);
            sub.unsubscribe('r:' + room).catch(() => {});
        }
    }
}

function leave(ws, f) {
    if (badRoom(ws, f.room)) {
        return;
    }
    const room = f.room;
    const left = { op: 'left', room };
    if (!ws.rooms.has(room)) {
        return reply(ws, left);
    }
    ws.rooms.delete(room);
    dropMember(ws, room);
    return pub.leaveCount('m:' + room, ws.user)
        .then(() => reply(ws, left), () => error(ws, 'unavailable', 'redis did not confirm the leave'));
}

function who(ws, f) {
    if (badRoom(ws, f.room)) {
        return;
    }
    const room = f.room;
    return pub.hgetall('m:' + room).then((counts) => {
        const names = Object.keys(counts).filter((u) => Number(counts[u]) > 0);
        // User names are ASCII, so UTF-16 order is code point order.
        names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        reply(ws, { op: 'members', room, users: names });
    }, () => error(ws, 'unavailable', 'redis did not answer'));
}

// ---- from Redis -----------------------------------------------------------------------------------

sub.on('message', (channel, message) => {
    if (channel === DIRECT_CHANNEL) {
        const space = message.indexOf(' ');
        const mine = users.get(message.slice(0, space));
        if (mine) {
            const frame = message.slice(space + 1);
            for (const ws of mine) {
                ws.send(frame);
            }
        }
        return;
    }
    const state = rooms.get(channel.slice(2));
    if (state) {
        for (const ws of state.members) {
            ws.send(message);
        }
    }
});

// ---- start and stop -------------------------------------------------------------------------------

sub.subscribe(DIRECT_CHANNEL).then(() => {
    server.listen(PORT, HOST, () => console.log(`node ${NODE_ID} READY ${PORT}`));
}, (e) => {
    console.error('cannot subscribe at redis ' + redisOptions.host + ':' + redisOptions.port + ': ' + e.message);
    process.exit(1);
});

function shutdown() {
    server.close();
    for (const set of users.values()) {
        for (const ws of set) {
            ws.close(1001, 'node shutting down');
        }
    }
    setTimeout(() => {
        pub.disconnect();
        sub.disconnect();
        process.exit(0);
    }, 300).unref();
    setTimeout(() => process.exit(0), 2000);
}

process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
