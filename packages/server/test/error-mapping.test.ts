import { describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { Writable } from 'node:stream';
import { ErrorBody, ErrorFrame } from '@nightshift/protocol';
import { ApiError, answerError } from '../src/api/errors.js';
import { commandFailedFrame } from '../src/realtime/error-frames.js';
import { NotFound, StateConflict, UnusableRepository } from '../src/sessions/errors.js';
import { createLogger } from '../src/log.js';

/** Collects what the server would log, so a test can tell a logged bug from a client's mistake. */
function recordingLog() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { log: createLogger('error', destination), lines };
}

/** Answers a request the way the API does when a route throws `err`. */
async function answerTo(err: unknown) {
  const { log, lines } = recordingLog();
  const app = new Hono();
  app.get('/x', () => {
    throw err;
  });
  app.onError(answerError(log));
  const res = await app.request('/x');
  return {
    status: res.status,
    body: ErrorBody.parse(await res.json()),
    connection: res.headers.get('connection'),
    logged: lines,
  };
}

const refusals = [
  {
    error: new NotFound('session ses_nope'),
    status: 404,
    body: { error: { code: 'not_found', message: 'session ses_nope not found' } },
  },
  {
    error: new NotFound('prompt msg_nope'),
    status: 404,
    body: { error: { code: 'not_found', message: 'prompt msg_nope not found' } },
  },
  {
    error: new StateConflict({ code: 'session_archived', message: 'the session is archived' }),
    status: 409,
    body: { error: { code: 'session_archived', message: 'the session is archived' } },
  },
  {
    error: new StateConflict({ code: 'not_queued', message: 'prompt msg_1 is not queued' }),
    status: 409,
    body: { error: { code: 'not_queued', message: 'prompt msg_1 is not queued' } },
  },
  {
    error: new UnusableRepository('repo: /nowhere does not exist or is not a directory'),
    status: 422,
    body: {
      error: { code: 'repo_unreadable', message: 'repo: /nowhere does not exist or is not a directory' },
    },
  },
];

describe('session errors over HTTP', () => {
  it.each(refusals)('answers $body.error.code with $status and its message', async (refusal) => {
    const answer = await answerTo(refusal.error);
    expect(answer.status).toBe(refusal.status);
    expect(answer.body).toEqual(refusal.body);
    expect(answer.logged).toEqual([]);
  });

  it('answers an ApiError with its own status, code and details, closing after a 413', async () => {
    const tooBig = await answerTo(new ApiError(413, 'payload_too_large', 'body: must be at most 10 bytes'));
    expect(tooBig.status).toBe(413);
    expect(tooBig.body).toEqual({
      error: { code: 'payload_too_large', message: 'body: must be at most 10 bytes' },
    });
    expect(tooBig.connection).toBe('close');

    const details = [{ path: 'text', message: 'Required' }];
    const invalid = await answerTo(new ApiError(400, 'invalid_request', 'text: Required', details));
    expect(invalid.status).toBe(400);
    expect(invalid.body).toEqual({ error: { code: 'invalid_request', message: 'text: Required', details } });
  });

  it("answers Hono's refusal of a request as 400 bad_request", async () => {
    const answer = await answerTo(new HTTPException(400, { message: 'Malformed JSON in request body' }));
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      error: { code: 'bad_request', message: 'Malformed JSON in request body' },
    });
  });

  it('answers anything else as a 500 that reveals nothing, and logs it', async () => {
    const answer = await answerTo(new Error('secret internals at /srv/db'));
    expect(answer.status).toBe(500);
    expect(answer.body).toEqual({
      error: { code: 'internal_error', message: 'something went wrong on the server' },
    });
    expect(JSON.stringify(answer.logged)).toContain('secret internals at /srv/db');
  });
});

describe('session errors over the WebSocket', () => {
  it.each(refusals)('sends $body.error.code as an error frame with the same message', (refusal) => {
    expect(ErrorFrame.parse(commandFailedFrame(refusal.error, 'req-1'))).toEqual({
      type: 'error',
      error: refusal.body.error,
      clientRequestId: 'req-1',
    });
    expect(commandFailedFrame(refusal.error)).toEqual({ type: 'error', error: refusal.body.error });
  });

  it('sends anything else as internal_error without its details', () => {
    const frame = commandFailedFrame(new Error('secret internals at /srv/db'), 'req-2');
    expect(frame).toEqual({
      type: 'error',
      error: { code: 'internal_error', message: 'the command could not be carried out' },
      clientRequestId: 'req-2',
    });
  });
});
