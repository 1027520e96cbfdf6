/** Framed COCOON sessions over verified byte streams. */
export { CocoonSession, wireErrorOf } from './cocoon-session.ts';
export type { CocoonSessionOptions, CocoonSessionEvents, QueryReply, SessionRole } from './cocoon-session.ts';
