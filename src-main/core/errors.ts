import { CLIENT_ERROR_CODES, type ClientErrorCode } from '../../src-shared/ipc/client-errors';
import type { IpcErrorShape } from '../../src-shared/ipc';
import { ERROR_CODES, ImError, type ErrorCode, type WireError } from '../../src-shared/protocol';

export type AnyErrorCode = ClientErrorCode | ErrorCode;

function temporaryOf(code: AnyErrorCode): boolean {
  if (code in CLIENT_ERROR_CODES) return CLIENT_ERROR_CODES[code as ClientErrorCode].temporary;
  return ERROR_CODES[code as ErrorCode].temporary;
}

/** An error raised inside the core that carries its own code; it crosses to the renderer as data. */
export class ClientError extends Error {
  constructor(
    readonly code: AnyErrorCode,
    message: string,
    readonly retryAfterMs: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ClientError';
  }

  toShape(): IpcErrorShape {
    return {
      code: this.code,
      message: this.message,
      temporary: temporaryOf(this.code),
      retry_after_ms: this.retryAfterMs,
    };
  }

  static fromWire(error: WireError | IpcErrorShape): ClientError {
    const code = (
      error.code in ERROR_CODES || error.code in CLIENT_ERROR_CODES ? error.code : 'INTERNAL'
    ) as AnyErrorCode;
    return new ClientError(code, error.message, error.retry_after_ms);
  }
}

export function errorShape(code: AnyErrorCode, message: string, retryAfterMs: number | null = null): IpcErrorShape {
  return { code, message, temporary: temporaryOf(code), retry_after_ms: retryAfterMs };
}

/** Whatever was thrown, as the data the renderer and the channel state carry. */
export function toErrorShape(err: unknown): IpcErrorShape {
  if (err instanceof ClientError) return err.toShape();
  if (err instanceof ImError) return err.toWire();
  return errorShape('INTERNAL', err instanceof Error ? err.message : String(err));
}
