/**
 * Windows toast for a conversation line. Activation is by protocol: clicking the toast (now, or
 * later from the Action Center after the app was closed or restarted) launches
 * `merchant-im://line/<id>`, which reaches the running instance through the single-instance lock
 * or starts a new one that opens the line.
 */
export interface ToastContent {
  title: string;
  body: string;
  launchUrl: string;
  silent: boolean;
}

export function windowsToastXml(toast: ToastContent): string {
  return [
    `<toast launch="${xmlEscape(toast.launchUrl)}" activationType="protocol">`,
    '<visual><binding template="ToastGeneric">',
    `<text>${xmlEscape(toast.title)}</text>`,
    `<text>${xmlEscape(toast.body)}</text>`,
    '</binding></visual>',
    toast.silent ? '<audio silent="true"/>' : '<audio src="ms-winsoundevent:Notification.IM"/>',
    '</toast>',
  ].join('');
}

function xmlEscape(text: string): string {
  // Control characters other than tab/newline are not allowed in XML 1.0 at all.
  // eslint-disable-next-line no-control-regex
  const cleaned = text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '');
  return cleaned.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}
