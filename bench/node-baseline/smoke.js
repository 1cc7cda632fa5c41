'use strict';
// Protocol smoke check of two running baseline nodes: node smoke.js PORT1 PORT2
// (setup.sh first; start redis-server and two `node server.js` on them). Exits 1 on the first miss.
const WebSocket = require('ws');
const [p1, p2] = process.argv.slice(2).map(Number);

function client(port, user) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/chat?user=${user}`);
    ws.inbox = [];
    ws.waiters = [];
    ws.on('message', (d) => {
        const f = JSON.parse(d.toString());
        const w = ws.waiters.findIndex((x) => x.pred(f));
        if (w >= 0) {
            ws.waiters.splice(w, 1)[0].resolve(f);
        } else {
            ws.inbox.push(f);
        }
    });
    ws.next = (pred) => {
        const i = ws.inbox.findIndex(pred);
        if (i >= 0) {
            return Promise.resolve(ws.inbox.splice(i, 1)[0]);
        }
        return new Promise((resolve, reject) => {
            ws.waiters.push({ pred, resolve });
            setTimeout(() => reject(new Error(user + ' waited in vain')), 5000);
        });
    };
    ws.j = (o) => ws.send(JSON.stringify(o));
    return new Promise((resolve, reject) => { ws.on('open', () => resolve(ws)); ws.on('error', reject); });
}

function check(cond, what) {
    if (!cond) {
        console.error('FAIL: ' + what);
        process.exit(1);
    }
    console.log('ok: ' + what);
}

(async () => {
    const ann = await client(p1, 'ann');
    const bob = await client(p2, 'bob');
    ann.j({ op: 'join', room: 'lobby' });
    check((await ann.next((f) => f.op === 'joined')).room === 'lobby', 'ann joined on node 1');
    bob.j({ op: 'join', room: 'lobby' });
    check((await bob.next((f) => f.op === 'joined')).room === 'lobby', 'bob joined on node 2');
    ann.j({ op: 'who', room: 'lobby' });
    check(JSON.stringify((await ann.next((f) => f.op === 'members')).users) === '["ann","bob"]', 'who lists both');
    ann.j({ op: 'send', room: 'lobby', body: 'hi' });
    const m = await bob.next((f) => f.op === 'msg');
    check(m.from === 'ann' && m.body === 'hi' && m.room === 'lobby', 'msg crossed nodes');
    check((await ann.next((f) => f.op === 'msg')).body === 'hi', 'sender gets its own msg');
    bob.j({ op: 'direct', to: 'ann', body: 'psst' });
    const d = await ann.next((f) => f.op === 'direct');
    check(d.from === 'bob' && d.body === 'psst', 'direct crossed nodes');
    bob.j({ op: 'send', room: 'elsewhere', body: 'x' });
    check((await bob.next((f) => f.op === 'error')).code === 'not_member', 'not_member');
    bob.j({ op: 'join', room: 'bad room' });
    check((await bob.next((f) => f.op === 'error')).code === 'bad_request', 'bad room is bad_request');
    bob.send('nonsense');
    check((await bob.next((f) => f.op === 'error')).code === 'bad_request', 'not JSON is bad_request');
    bob.j({ op: 'leave', room: 'lobby' });
    check((await bob.next((f) => f.op === 'left')).room === 'lobby', 'left');
    ann.j({ op: 'who', room: 'lobby' });
    check(JSON.stringify((await ann.next((f) => f.op === 'members')).users) === '["ann"]', 'who after leave');
    const closed = new Promise((r) => bob.on('close', (code) => r(code)));
    bob.send(Buffer.from([1, 2]), { binary: true });
    check(await closed === 1003, 'binary frame closes with 1003');
    ann.close();
    console.log('2 nodes speak the protocol');
    process.exit(0);
})().catch((e) => { console.error('FAIL: ' + e.message); process.exit(1); });
