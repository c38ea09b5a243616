import type { Need } from '../../src-shared/protocol';
import { Listeners } from '../ports/listeners';

/**
 * The request stack (seed 2.1.2): business layers push what they currently need (an open line,
 * a filtered list) and pop it when they go away; the channel tells the server the top, so the
 * server scopes ephemeral traffic (typing, presence) to it. Popping restores the previous need.
 */
export class NeedStack {
  private readonly stack: Need[] = [];
  private readonly listeners = new Listeners<[Need | null]>();

  push(need: Need): number {
    this.stack.push({ ...need });
    this.listeners.emit(this.top());
    return this.stack.length;
  }

  /** Popping an empty stack is harmless (a view may unmount twice). */
  pop(): number {
    if (this.stack.length > 0) {
      this.stack.pop();
      this.listeners.emit(this.top());
    }
    return this.stack.length;
  }

  top(): Need | null {
    const top = this.stack[this.stack.length - 1];
    return top ? { ...top } : null;
  }

  /** The line the user has open, if the top of the stack is one. */
  openLineId(): string | null {
    const top = this.top();
    return top?.view === 'line' ? (top.line_id ?? null) : null;
  }

  onChange(listener: (top: Need | null) => void): () => void {
    return this.listeners.add(listener);
  }

  dispose(): void {
    this.listeners.clear();
  }
}
