/**
 * The demo sign-ins the launcher prints. They are the server's demo seed (src-server/demo), which
 * the client side may not import; tests/e2e/launcher.test.ts checks the two stay the same.
 */
export const DEMO_SIGN_INS = {
  password: 'demo',
  staff: [
    { account: 'alice@hotel', who: 'Alice Chen, West Lake Harbour Hotel' },
    { account: 'bob@hotel', who: 'Bob Wang, same hotel (a colleague to transfer to)' },
    { account: 'carol@tours', who: 'Carol Liu, Silk Road Tours' },
    { account: 'erin@tickets', who: 'Erin Zhou, Panda Tickets' },
  ],
  customers: ['emma', 'wangfang', 'liam'],
} as const;
