#!/usr/bin/env node
// The ceiling for GETs in bench-vs-prism.mjs: node:http answering every request with one fixed JSON
// body (the size of a job poll's answer), no routing, no validation, no logging.
//
//   node bench/plain-http-server.mjs <port>
import http from 'node:http';
import process from 'node:process';

const body = Buffer.from(
  JSON.stringify({ id: '9f5b5e70-839b-46f5-a31c-6cf7d7e92a30', status: 'done', created: 1767225600, completed: 1767225606, data: [{ download_url: '/v1/images/results/9f5b5e70-839b-46f5-a31c-6cf7d7e92a30/download' }], usage: { image_count: 1 } }),
);
const port = Number(process.argv[2]);
http
  .createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
    res.end(body);
  })
  .listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}`));
