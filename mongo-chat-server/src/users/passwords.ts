/**
 * argon2id password hashing (docs/design.md, Identity). The hash never leaves this
 * service. Checking an unknown user still costs one verification, so response
 * time does not tell which user numbers exist.
 */
import crypto from 'node:crypto';
import argon2 from 'argon2';

export interface Passwords {
  hash: (password: string) => Promise<string>;
  /** True when `password` matches `hash`; with no hash, burns the same time and answers false. */
  verify: (hash: string | undefined, password: string) => Promise<boolean>;
}

export function createPasswords(memoryCostKib: number): Passwords {
  const hash = (password: string) => argon2.hash(password, {
    type: argon2.argon2id, memoryCost: memoryCostKib, timeCost: 2, parallelism: 1,
  });
  let decoy: Promise<string> | undefined;
  const verify = async (stored: string | undefined, password: string) => {
    if (stored === undefined) {
      decoy ??= hash(crypto.randomBytes(16).toString('hex'));
      await argon2.verify(await decoy, password).catch(() => false);
      return false;
    }
    return argon2.verify(stored, password).catch(() => false);
  };
  return { hash, verify };
}
