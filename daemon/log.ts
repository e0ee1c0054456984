// One logger for the engine. Secrets registered with `redact` are masked in every line, so an API key that
// slips into an error message from a library never reaches a terminal or a log file.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  redact(secret: string): void;
}

export function createLogger(level: LogLevel = 'info', write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Logger {
  const secrets = new Set<string>();
  const emit = (at: LogLevel, message: string) => {
    if (ORDER[at] < ORDER[level]) return;
    let line = message;
    for (const secret of secrets) line = line.split(secret).join(mask(secret));
    write(`${new Date().toISOString()} ${at.padEnd(5)} ${line}`);
  };
  return {
    debug: (m) => emit('debug', m),
    info: (m) => emit('info', m),
    warn: (m) => emit('warn', m),
    error: (m) => emit('error', m),
    redact: (secret) => {
      if (secret.length >= 4) secrets.add(secret);
    },
  };
}

/** Shows at most the last four characters, for "which key is this" without revealing it. */
export function mask(secret: string): string {
  return secret.length <= 8 ? '****' : `****${secret.slice(-4)}`;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
