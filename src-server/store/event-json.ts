import type { Role } from '../../src-shared/protocol';
import { renderLine } from '../domain/line';
import type { LineRecord } from './types';

/**
 * Inbox events of one write as JSON, from parts serialised once rather than once per recipient: a
 * message or line change may fan out to every staff member of a merchant, who all see the same one
 * of the line's two renderings (customer's or staff's).
 */
export class EventJson {
  private readonly rendered: Partial<Record<Role, string>> = {};

  constructor(private readonly line: LineRecord) {}

  message(seq: number, messageJson: string, viewer: Role): string {
    return `{"kind":"message","seq":${seq},"message":${messageJson},"line":${this.lineAs(viewer)}}`;
  }

  lineChange(seq: number, viewer: Role): string {
    return `{"kind":"line","seq":${seq},"line":${this.lineAs(viewer)}}`;
  }

  private lineAs(viewer: Role): string {
    return (this.rendered[viewer] ??= JSON.stringify(renderLine(this.line, viewer)));
  }
}
