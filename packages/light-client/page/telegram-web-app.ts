/**
 * The page inside Telegram: when `window.Telegram.WebApp` is there (or the URL carries Telegram's
 * launch data, `#tgWebAppData=…`, and Telegram's script is loaded first) the page tells Telegram it is
 * ready, takes the full height, and follows Telegram's theme: every `themeParams` colour becomes a
 * `--tg-theme-*` CSS variable and `colorScheme` the page's light or dark scheme, again on each
 * `themeChanged`. Every request to the client runner carries `X-Telegram-Init-Data` (the WebApp's signed
 * `initData`) when there is one, for a runner that admits only its bot's users (telegram_bot_token_file).
 * A plain browser gets the page unchanged (and loads nothing from Telegram).
 */

/** The part of Telegram's WebApp object the page uses (https://core.telegram.org/bots/webapps). */
export interface TelegramWebApp {
  ready(): void;
  expand(): void;
  /** The signed launch data (a query string); '' outside Telegram. */
  initData?: string;
  colorScheme?: string;
  themeParams?: Record<string, unknown>;
  viewportStableHeight?: number;
  onEvent?(event: string, handler: () => void): void;
}

interface TelegramWindow {
  Telegram?: { WebApp?: TelegramWebApp };
}

export const TELEGRAM_WEB_APP_SCRIPT = 'https://telegram.org/js/telegram-web-app.js';

/** Only plain colours become CSS values (Telegram sends #rrggbb). */
const COLOUR = /^#(?:[0-9a-f]{3}|[0-9a-f]{4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;
const THEME_KEY = /^[a-z][a-z0-9_]{0,40}$/;

function webAppOf(window: Window): TelegramWebApp | undefined {
  const webApp = (window as unknown as TelegramWindow).Telegram?.WebApp;
  return webApp && typeof webApp.ready === 'function' ? webApp : undefined;
}

/** The header a runner with telegram_bot_token_file checks. */
export const TELEGRAM_INIT_DATA_HEADER = 'X-Telegram-Init-Data';

/** The runner headers for the current WebApp (asked per request: Telegram's script may load after the page starts). */
export function telegramInitDataHeaders(window: Window): Record<string, string> {
  const initData = webAppOf(window)?.initData;
  return typeof initData === 'string' && initData !== '' ? { [TELEGRAM_INIT_DATA_HEADER]: initData } : {};
}

/** Whether the page was opened by Telegram as a Mini App (its launch parameters are in the fragment). */
export function launchedByTelegram(location: Location): boolean {
  return /(?:^#|&)tgWebAppData=/.test(location.hash);
}

function loadScript(document: Document, source: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = source;
    script.async = true;
    script.addEventListener('load', () => resolve(), { once: true });
    script.addEventListener('error', () => reject(new Error(`could not load ${source}`)), { once: true });
    document.head.append(script);
  });
}

/** Sets the theme variables and colour scheme from the WebApp's current theme (unknown or odd values are skipped). */
export function applyTelegramTheme(webApp: TelegramWebApp, root: HTMLElement): void {
  for (const [key, value] of Object.entries(webApp.themeParams ?? {})) {
    if (!THEME_KEY.test(key) || typeof value !== 'string' || !COLOUR.test(value)) continue;
    root.style.setProperty(`--tg-theme-${key.replaceAll('_', '-')}`, value);
  }
  if (webApp.colorScheme === 'dark' || webApp.colorScheme === 'light') {
    root.dataset.colorScheme = webApp.colorScheme;
    root.style.colorScheme = webApp.colorScheme;
  }
  if (typeof webApp.viewportStableHeight === 'number' && webApp.viewportStableHeight > 0) {
    root.style.setProperty('--tg-viewport-stable-height', `${Math.round(webApp.viewportStableHeight)}px`);
  }
}

/**
 * Connects the page to Telegram when it runs as a Mini App; resolves with the WebApp (undefined in a
 * plain browser, or when Telegram's script cannot be loaded: the page then works as a plain one).
 */
export async function connectTelegramWebApp(window: Window): Promise<TelegramWebApp | undefined> {
  let webApp = webAppOf(window);
  if (!webApp && launchedByTelegram(window.location)) {
    try {
      await loadScript(window.document, TELEGRAM_WEB_APP_SCRIPT);
    } catch {
      return undefined;
    }
    webApp = webAppOf(window);
  }
  if (!webApp) return undefined;
  const root = window.document.documentElement;
  root.dataset.telegram = 'true';
  applyTelegramTheme(webApp, root);
  webApp.onEvent?.('themeChanged', () => applyTelegramTheme(webApp, root));
  webApp.onEvent?.('viewportChanged', () => applyTelegramTheme(webApp, root));
  webApp.ready();
  webApp.expand();
  return webApp;
}
