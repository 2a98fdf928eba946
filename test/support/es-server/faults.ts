/** Misbehaviour the ES test server can be told to show; every field can be changed while it runs. */
export interface EsFaults {
  /** The first N `_bulk` requests answer 503 (no item is indexed). */
  fail503First?: number;
  /** Every k-th bulk item (counted over the server's life) answers 429 es_rejected_execution_exception. */
  every429?: number;
  /** Mapping errors: a document whose value at the field (dotted) does not fit the type gets 400 mapper_parsing_exception. */
  mappingErrors?: Record<string, 'long' | 'integer' | 'double' | 'boolean' | 'date'>;
  /** Every `_bulk` answer is delayed this long. */
  delayMs?: number;
  /** The first N `_bulk` requests have their connection destroyed without an answer. */
  dropFirst?: number;
  /** Bulk bodies larger than this many bytes (uncompressed) answer 413, as `http.max_content_length` does. */
  maxContentLength?: number;
}
