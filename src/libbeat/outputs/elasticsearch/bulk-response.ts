/** What happened to one bulk item, as Beats classifies it. */
export type ItemOutcome = 'ok' | 'retry' | 'drop';

export interface BulkResult {
  /** One per item sent, in order. */
  outcomes: ItemOutcome[];
  /** Reason of the first dropped item (for the log line). */
  firstDropReason?: string;
  /** Reason of the first retried item. */
  firstRetryReason?: string;
}

/** 2xx and 409 (already there) are done; 429 and 5xx are temporary; any other status will never be accepted. */
export function classifyStatus(status: number): ItemOutcome {
  if ((status >= 200 && status < 300) || status === 409) return 'ok';
  if (status === 429 || status >= 500) return 'retry';
  return 'drop';
}

/**
 * Elasticsearch puts `took` (absent with `filter_path`) and `errors` first; a successful bulk needs no parsing
 * beyond this.
 */
export const NO_ERRORS = /^\s*\{\s*(?:"took"\s*:\s*\d+\s*,\s*)?"errors"\s*:\s*false\b/;

/** Asks Elasticsearch to leave out of each item everything but its status and error (Beats does the same). */
export const BULK_FILTER_PATH = 'filter_path=errors,items.*.status,items.*.error';

function reasonOf(item: Record<string, unknown>, status: number): string {
  const err = item['error'];
  if (err && typeof err === 'object') {
    const e = err as Record<string, unknown>;
    const type = typeof e['type'] === 'string' ? e['type'] : 'error';
    const reason = typeof e['reason'] === 'string' ? e['reason'] : JSON.stringify(e);
    return `status ${status}, ${type}: ${reason}`;
  }
  if (typeof err === 'string') return `status ${status}, ${err}`;
  return `status ${status}`;
}

/**
 * Reads a `_bulk` response body for `count` items. Returns undefined when the body is not a bulk response (the
 * caller retries the whole batch). A missing or malformed item counts as a temporary failure, as in Beats.
 */
export function parseBulkResponse(body: string, count: number, prefixOk = false): BulkResult | undefined {
  if (prefixOk || NO_ERRORS.test(body)) return { outcomes: new Array<ItemOutcome>(count).fill('ok') };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const obj = parsed as Record<string, unknown>;
  const items = obj['items'];
  if (!Array.isArray(items)) return undefined;
  if (obj['errors'] === false && items.length === count) return { outcomes: new Array<ItemOutcome>(count).fill('ok') };
  const result: BulkResult = { outcomes: [] };
  for (let i = 0; i < count; i++) {
    const wrapper = items[i] as Record<string, unknown> | undefined;
    const item = wrapper && typeof wrapper === 'object' ? (Object.values(wrapper)[0] as Record<string, unknown> | undefined) : undefined;
    const status = item && typeof item['status'] === 'number' ? item['status'] : undefined;
    if (item === undefined || status === undefined) {
      result.outcomes.push('retry');
      result.firstRetryReason ??= 'missing item in bulk response';
      continue;
    }
    const o = classifyStatus(status);
    result.outcomes.push(o);
    if (o === 'drop') result.firstDropReason ??= reasonOf(item, status);
    else if (o === 'retry') result.firstRetryReason ??= reasonOf(item, status);
  }
  return result;
}
