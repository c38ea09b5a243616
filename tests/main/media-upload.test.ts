import { Agent } from 'node:http';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { IpcErrorShape } from '../../src-shared/ipc';
import { ClientCore } from '../../src-main/core/client-core';
import { IMAGES, pngImage, uploadImage } from '../support/media';
import { TEST_PASSWORD, follow, uniqueDevice } from '../support/test-server';
import { signIn as serverSignIn } from '../support/protocol-client';
import { tempDir, testPorts, waitFor } from './helpers';
import { FAST, makeWorld, type World } from './live-helpers';
import { TcpProxy } from './tcp-proxy';

/** Counts the connections it opens, to show uploads take the host's agent (the system proxy's path). */
class CountingAgent extends Agent {
  opened = 0;
  override createConnection(...args: Parameters<Agent['createConnection']>): Duplex | null | undefined {
    this.opened++;
    return super.createConnection(...args);
  }
}

const base64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

describe('media.upload against the real server', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function world(serverOptions: Parameters<typeof makeWorld>[0] = {}): Promise<World> {
    const w = await makeWorld(serverOptions);
    cleanups.push(() => w.t.stop());
    return w;
  }

  async function signedInCore(w: World, serverUrl = w.t.url): Promise<{ core: ClientCore; agent: CountingAgent }> {
    const { dir, cleanup } = tempDir();
    const agent = new CountingAgent();
    const ports = { ...testPorts(), agents: { agentFor: () => Promise.resolve(agent) } };
    const core = new ClientCore({ dataDir: dir, ports, config: FAST });
    cleanups.push(async () => {
      await core.dispose();
      agent.destroy();
      cleanup();
    });
    await core.invoke('session.signIn', { server_url: serverUrl, account: 'alice', password: TEST_PASSWORD });
    await waitFor(() => core.runtime?.channel.state().status === 'online', 5_000, 'online');
    return { core, agent };
  }

  async function refusal(core: ClientCore, args: Parameters<ClientCore['call']>[1]): Promise<IpcErrorShape> {
    const outcome = await core.call('media.upload', args);
    if (outcome.ok) throw new Error('the upload was expected to be refused');
    return outcome.error;
  }

  it('uploads through the host agent, sends the image, and the other side fetches the same bytes', async () => {
    const w = await world();
    const customer = await w.t.connectWs('emma');
    const inbox = await follow(w.t, customer);
    const { line_id } = await w.customerSays('可以发张房间照片吗？');
    const { core, agent } = await signedInCore(w);
    const opened = agent.opened;

    // A real 1280×960 image: the server reads the size from its header, not from the arguments.
    const png = pngImage(1280, 960);
    const image = await core.invoke('media.upload', {
      name: 'room.png',
      mime: 'image/png',
      data_base64: base64(png),
      width: 1280,
      height: 960,
    });
    expect(image).toMatchObject({ type: 'image', mime: 'image/png', width: 1280, height: 960 });
    expect(image.url).toMatch(/^\/v1\/media\/[0-9a-f]{64}\.png$/);
    expect(agent.opened).toBeGreaterThan(opened);

    const sent = await core.invoke('message.send', { line_id, content: image });
    await waitFor(() => core.runtime!.store.messageByRandomId(sent.random_id!)?.state === 'sent', 5_000, 'sent');
    const received = await inbox.waitFor((e) => e.kind === 'message' && e.message.content.type === 'image');
    expect(received.kind === 'message' && received.message.content).toEqual(image);

    const { token } = await serverSignIn(w.t.url, 'emma', TEST_PASSWORD, uniqueDevice('emma'));
    const res = await fetch(new URL(image.url, w.t.url), { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer()).equals(png)).toBe(true);

    // Content-addressed: the same bytes again are the same image.
    expect(
      await core.invoke('media.upload', {
        name: 'again.png',
        mime: 'image/png',
        data_base64: base64(png),
        width: 1280,
        height: 960,
      }),
    ).toEqual(image);

    // The sender's own bubble needs no download: the sent bytes were kept, so they show even offline.
    const requests = agent.opened;
    await w.t.server.kill();
    await waitFor(() => core.runtime?.channel.state().status !== 'online', 5_000, 'offline');
    const shown = await core.invoke('media.get', { url: image.url });
    expect(Buffer.from(shown.data_base64, 'base64').equals(png)).toBe(true);
    expect(agent.opened).toBe(requests);
  });

  it('refuses wrong types, bad data and oversized images with their codes; nothing reaches the outbox', async () => {
    const w = await world({ maxMediaBytes: 1024 });
    const { core } = await signedInCore(w);
    const png = IMAGES['image/png'];

    // The server reads the magic number: PNG bytes declared as JPEG.
    const wrongType = await refusal(core, {
      name: 'x.jpg',
      mime: 'image/jpeg',
      data_base64: base64(png),
      width: 1,
      height: 1,
    });
    expect(wrongType).toMatchObject({ code: 'INVALID_ARGUMENT', temporary: false });
    expect(wrongType.message).toContain('image/png');
    // Not an image at all, declared as one.
    expect(
      await refusal(core, {
        name: 'x.gif',
        mime: 'image/gif',
        data_base64: base64(Buffer.from('<html>')),
        width: 1,
        height: 1,
      }),
    ).toMatchObject({ code: 'INVALID_ARGUMENT' });
    // Not base64, or a data: URL: refused before any traffic.
    expect(
      await refusal(core, {
        name: 'x.png',
        mime: 'image/png',
        data_base64: `data:image/png;base64,${base64(png)}`,
        width: 1,
        height: 1,
      }),
    ).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('base64') });
    // Above this server's limit (1 KiB here): the server's own PAYLOAD_TOO_LARGE, from Content-Length.
    const big = Buffer.concat([png, Buffer.alloc(4096)]);
    const serverTooLarge = await refusal(core, {
      name: 'big.png',
      mime: 'image/png',
      data_base64: base64(big),
      width: 1,
      height: 1,
    });
    expect(serverTooLarge).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', temporary: false });
    expect(serverTooLarge.message).toContain('big.png');
    // Above the contract's 8 MiB: refused locally, whether it passes the IPC schema's cap or not.
    for (const extra of [1, 1024 * 1024]) {
      const huge = Buffer.concat([png, Buffer.alloc(8 * 1024 * 1024 - png.length + extra)]);
      const localTooLarge = await refusal(core, {
        name: 'huge.png',
        mime: 'image/png',
        data_base64: base64(huge),
        width: 1,
        height: 1,
      });
      expect(localTooLarge, JSON.stringify(localTooLarge)).toMatchObject({
        code: 'PAYLOAD_TOO_LARGE',
        temporary: false,
      });
      expect(localTooLarge.message).toMatch(/at most 8\.0 MB/);
    }
    expect(core.runtime!.store.outbox()).toEqual([]);
  });

  it('says OFFLINE when there is no connection, and uploads once it is back', async () => {
    const w = await world();
    const proxy = await TcpProxy.start(w.t.server.port);
    cleanups.push(() => proxy.close());
    const { core } = await signedInCore(w, proxy.url);
    proxy.refuse = true;
    proxy.cutAll();
    await waitFor(() => core.runtime!.channel.connection() === null, 5_000, 'offline');
    const args = {
      name: 'room.png',
      mime: 'image/png',
      data_base64: base64(IMAGES['image/png']),
      width: 1,
      height: 1,
    } as const;
    const error = await refusal(core, args);
    expect(error).toMatchObject({ code: 'OFFLINE', temporary: true });
    expect(error.message).toBe('room.png was not uploaded: there is no connection to the server');
    expect(core.runtime!.store.outbox()).toEqual([]);

    proxy.refuse = false;
    await waitFor(() => core.runtime!.channel.state().status === 'online', 10_000, 'back online');
    expect(await core.invoke('media.upload', args)).toMatchObject({ type: 'image' });
  });

  it('refreshes an expired token once and completes the upload', async () => {
    let skewMs = 0;
    const w = await world({ now: () => Date.now() + skewMs, heartbeatIntervalMs: 60_000 });
    const { core } = await signedInCore(w);
    const { token: sameEra } = await serverSignIn(w.t.url, 'alice', TEST_PASSWORD, uniqueDevice('alice'));
    skewMs = 13 * 3600_000; // past the 12 h token lifetime, inside the refresh grace
    const png = pngImage(2, 3);
    expect(await uploadImage(w.t.url, sameEra, png)).toMatchObject({ ok: false, error: { code: 'TOKEN_EXPIRED' } });

    const image = await core.invoke('media.upload', {
      name: 'a.png',
      mime: 'image/png',
      data_base64: base64(png),
      width: 2,
      height: 3,
    });
    expect(image).toMatchObject({ type: 'image', width: 2, height: 3 });
  });
});
