/** A real SMTP server for tests (smtp-server), and what arrived at it. */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface Arrival {
  envelopeTo: string[];
  mail: ParsedMail;
}

/**
 * A real SMTP server on a free local port. It keeps every message it accepts, parsed as a mail
 * client would show it; while `refuse` is set it answers DATA with a temporary failure.
 */
export async function startSmtpServer(): Promise<{ url: string; arrivals: Arrival[]; refuse: string | undefined; close(): Promise<void> }> {
  const state = {
    url: '',
    arrivals: [] as Arrival[],
    refuse: undefined as string | undefined,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          if (state.refuse !== undefined) {
            callback(Object.assign(new Error(state.refuse), { responseCode: 451 }));
            return;
          }
          state.arrivals.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), mail });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  state.url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  return state;
}

