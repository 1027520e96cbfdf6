/**
 * Renders model download progress on stderr: bytes/total, percent and rate. On a terminal one
 * line is redrawn in place (`\r`) with a bar; otherwise plain lines, one per 10 % step (or per
 * 64 MiB when the total is unknown), so logs stay short.
 */
import type { DownloadProgress } from './model-downloader.ts';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
const BAR_WIDTH = 24;
const UNKNOWN_TOTAL_STEP = 64 * 1024 * 1024;

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** `12.3 MiB / 27.0 MiB  45.6%  5.1 MiB/s` (no total: `12.3 MiB  5.1 MiB/s`). */
export function formatDownloadProgress(progress: DownloadProgress): string {
  const rate = `${formatBytes(progress.bytesPerSecond)}/s`;
  if (progress.total === undefined || progress.total === 0) return `${formatBytes(progress.received)}  ${rate}`;
  const percent = ((progress.received * 100) / progress.total).toFixed(1);
  return `${formatBytes(progress.received)} / ${formatBytes(progress.total)}  ${percent}%  ${rate}`;
}

export interface ProgressWriter {
  /** Whether stderr is a terminal (redraw in place) or a log (plain lines). */
  isTerminal: boolean;
  /** Raw write (terminal mode). */
  write(text: string): void;
  /** One line (plain mode). */
  line(text: string): void;
}

export class DownloadProgressRenderer {
  #lastStep = -1;
  #drawn = false;

  constructor(private readonly writer: ProgressWriter) {}

  update(progress: DownloadProgress): void {
    if (this.writer.isTerminal) {
      const fraction = progress.total ? Math.min(1, progress.received / progress.total) : 0;
      const filled = Math.round(fraction * BAR_WIDTH);
      const bar = progress.total ? `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ` : '';
      this.writer.write(`\r\x1b[2K${bar}${formatDownloadProgress(progress)}`);
      this.#drawn = true;
      return;
    }
    const step = progress.total ? Math.floor((progress.received * 10) / progress.total) : Math.floor(progress.received / UNKNOWN_TOTAL_STEP);
    if (step === this.#lastStep) return;
    this.#lastStep = step;
    this.writer.line(`download ${formatDownloadProgress(progress)}`);
  }

  /** Ends the redrawn line (terminal mode) so later output starts on a fresh line. */
  finish(): void {
    if (this.writer.isTerminal && this.#drawn) this.writer.write('\n');
    this.#drawn = false;
  }
}
