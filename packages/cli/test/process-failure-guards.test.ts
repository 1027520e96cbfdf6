// The process-wide guards: an unhandled rejection is logged loudly and the process keeps running;
// an uncaught exception is logged and exits with EX_SOFTWARE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createLogger } from '@cocoon/protocol';
import { UNCAUGHT_EXCEPTION_EXIT_CODE, installProcessFailureGuards } from '../src/process-failure-guards.ts';

function fakeProcess(): EventEmitter & { exits: number[]; exit(code: number): void } {
  const emitter = new EventEmitter() as EventEmitter & { exits: number[]; exit(code: number): void };
  emitter.exits = [];
  emitter.exit = (code) => void emitter.exits.push(code);
  return emitter;
}

test('an unhandled rejection is logged with its stack and does not exit', () => {
  const lines: string[] = [];
  const target = fakeProcess();
  installProcessFailureGuards(createLogger('cocoon', { write: (line) => lines.push(line) }), target);
  target.emit('unhandledRejection', new TypeError('boom'));
  assert.equal(target.exits.length, 0);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /error cocoon BUG: unhandled promise rejection/);
  assert.match(lines[0]!, /TypeError: boom/);
  assert.match(lines[0]!, /stack=/);
});

test('an uncaught exception is logged and exits with EX_SOFTWARE', () => {
  const lines: string[] = [];
  const target = fakeProcess();
  installProcessFailureGuards(createLogger('cocoon', { write: (line) => lines.push(line) }), target);
  target.emit('uncaughtException', new Error('state unknown'));
  assert.deepEqual(target.exits, [UNCAUGHT_EXCEPTION_EXIT_CODE]);
  assert.match(lines[0]!, /BUG: uncaught exception; exiting .*state unknown/);
});
