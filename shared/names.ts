// The one rule for the names people give things (accounts, agent tokens, this engine): short, and safe in a URL
// path, a log line, a NATS header and a file name.

/** The rule as a pattern source: for an HTML `pattern` attribute (which anchors it itself). The dash is escaped, as
 * browsers compile `pattern` in the `v` mode, where a bare one in a class is a syntax error. */
export const NAME_SOURCE = '[A-Za-z0-9._\\-]{1,64}';
export const NAME = new RegExp(`^${NAME_SOURCE}$`);
/** The rule in words, for messages and form hints. */
export const NAME_RULE = '1-64 letters, digits, dots, dashes or underscores';
