/** Operator-facing stats HTTP endpoints shared by the runners. */
export { startStatsHttpServer, type StatsHttpServer, type StatsHttpServerOptions, type ControlHandler } from './stats-http-server.ts';
export { renderStatsPage } from './stats-page.ts';
export { toJsonText } from './json-text.ts';
export { dashboardAnswer, renderDashboardPage, DASHBOARD_CONTENT_SECURITY_POLICY, DASHBOARD_PAGE_PATH, DASHBOARD_SCRIPT_PATH, type DashboardAnswer, type DashboardRole } from './dashboard-page.ts';
