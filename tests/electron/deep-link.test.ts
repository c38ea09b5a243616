import { describe, expect, it } from 'vitest';
import { findLineLinkInArgv, lineLinkUrl, parseLineLink } from '../../src-main/shell/deep-link';

describe('deep links', () => {
  it('parses a line link, with and without a message', () => {
    expect(parseLineLink('merchant-im://line/L42')).toEqual({ line_id: 'L42', message_id: null });
    expect(parseLineLink('merchant-im://line/L42/')).toEqual({ line_id: 'L42', message_id: null });
    expect(parseLineLink('merchant-im://line/L42?message=M7')).toEqual({ line_id: 'L42', message_id: 'M7' });
  });

  it('round-trips ids that need encoding', () => {
    const link = { line_id: 'line 1/ä', message_id: 'm&1' };
    expect(parseLineLink(lineLinkUrl(link))).toEqual(link);
  });

  it('refuses anything that is not exactly a line link', () => {
    for (const bad of [
      'https://line/L1',
      'merchant-im://settings/L1',
      'merchant-im://line/',
      'merchant-im://line/a/b',
      'merchant-im://user:pw@line/L1',
      `merchant-im://line/${'x'.repeat(65)}`,
      'merchant-im://line/%E0%A4%A',
      'not a url',
    ]) {
      expect(parseLineLink(bad), bad).toBeNull();
    }
  });

  it('finds the link among Chromium switches in a second instance argv', () => {
    const argv = [
      'C:\\Program Files\\Merchant IM\\Merchant IM.exe',
      '--allow-file-access-from-files',
      '--original-process-start-time=1',
      'merchant-im://line/L9',
    ];
    expect(findLineLinkInArgv(argv)).toEqual({ line_id: 'L9', message_id: null });
    expect(findLineLinkInArgv(['app', '--hidden'])).toBeNull();
    expect(findLineLinkInArgv(['app', 'merchant-im://evil/x', 'MERCHANT-IM://line/L2'])).toEqual({
      line_id: 'L2',
      message_id: null,
    });
  });
});
