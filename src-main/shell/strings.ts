/**
 * The few words the shell shows outside the renderer (tray, menus, notifications, dialogs), in the
 * app's two languages. The renderer has its own i18next catalogue; these never reach it.
 */
export type ShellLanguage = 'en' | 'zh-CN';

const en = {
  appName: 'Merchant IM',
  open: 'Open Merchant IM',
  pauseHour: 'Pause notifications for 1 hour',
  pauseTomorrow: 'Pause notifications until tomorrow',
  resume: 'Resume notifications',
  quit: 'Quit Merchant IM',
  unread: (n: number) => (n === 1 ? '1 unread message' : `${n} unread messages`),
  noUnread: 'No unread messages',
  pausedUntil: (time: string) => `Notifications paused until ${time}`,
  offline: 'Not connected',
  testTitle: 'Merchant IM',
  testBody: 'Notifications are working.',
  newMessages: (n: number) => `${n} new messages`,
};

const zhCN: typeof en = {
  appName: '商家IM',
  open: '打开商家IM',
  pauseHour: '暂停通知 1 小时',
  pauseTomorrow: '暂停通知至明天',
  resume: '恢复通知',
  quit: '退出商家IM',
  unread: (n: number) => `${n} 条未读消息`,
  noUnread: '没有未读消息',
  pausedUntil: (time: string) => `通知已暂停至 ${time}`,
  offline: '未连接',
  testTitle: '商家IM',
  testBody: '通知功能正常。',
  newMessages: (n: number) => `${n} 条新消息`,
};

export type ShellStrings = typeof en;

export function shellStrings(language: ShellLanguage): ShellStrings {
  return language === 'zh-CN' ? zhCN : en;
}
