/**
 * Error codes the client core itself raises across the IPC boundary, next to the server's
 * ERROR_CODES (which pass through unchanged). The renderer translates both sets.
 */
export const CLIENT_ERROR_CODES = {
  NOT_SIGNED_IN: { temporary: false, summary: 'No account is signed in.' },
  OFFLINE: {
    temporary: true,
    summary: 'The server cannot be reached right now; try again when the connection is back.',
  },
  TIMEOUT: { temporary: true, summary: 'The server did not answer in time.' },
  NETWORK: { temporary: true, summary: 'The connection to the server failed.' },
  STORE_CORRUPT: {
    temporary: false,
    summary: 'The local message database is damaged; it was left untouched for recovery.',
  },
  STORE_LOCKED: { temporary: true, summary: 'The local message database is in use by another process.' },
  STORE_FULL: { temporary: false, summary: 'The disk holding the local message database is full.' },
  STORE_TOO_NEW: { temporary: false, summary: 'The local message database was written by a newer version of the app.' },
  STORE_FAILED: { temporary: false, summary: 'The local message database failed unexpectedly.' },
  NOT_SUPPORTED: { temporary: false, summary: 'This host cannot do that.' },
  DISPOSED: { temporary: false, summary: 'The client core has been shut down.' },
} as const satisfies Record<string, { temporary: boolean; summary: string }>;

export type ClientErrorCode = keyof typeof CLIENT_ERROR_CODES;
