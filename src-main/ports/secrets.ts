/**
 * Protects the stored session token at rest. The plain-Node host stores it as is (the file is
 * created mode 0600 in the user's data folder); Electron's shell swaps in `safeStorage`.
 */
export interface SecretBox {
  readonly kind: string;
  seal(plain: string): Buffer;
  open(sealed: Buffer): string;
}

export const plainSecretBox: SecretBox = {
  kind: 'plain',
  seal: (plain) => Buffer.from(plain, 'utf8'),
  open: (sealed) => sealed.toString('utf8'),
};
