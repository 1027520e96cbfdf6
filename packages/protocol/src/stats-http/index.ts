/** Operator-facing stats HTTP endpoints shared by the runners. */
export { startStatsHttpServer, type StatsHttpServer, type StatsHttpServerOptions, type ControlHandler } from './stats-http-server.ts';
export { renderStatsPage } from './stats-page.ts';
export { toJsonText } from './json-text.ts';
