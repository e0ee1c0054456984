// Shows the policy's notices as native notifications; a click opens the window on that mail (or the list).
import { Notification } from 'electron';
import type { Notice, NoticeTarget } from './notification-policy.ts';

/** A notification object that is garbage-collected loses its click handler: hold on to the recent ones. */
const KEEP = 50;

export class NativeNotifications {
  readonly #icon: string | undefined;
  readonly #open: (target: NoticeTarget) => void;
  readonly #live = new Set<Notification>();

  /** `icon` matters on Linux only; macOS and Windows take the app's own icon. */
  constructor(icon: string | undefined, open: (target: NoticeTarget) => void) {
    this.#icon = icon;
    this.#open = open;
  }

  show(notice: Notice): void {
    if (!Notification.isSupported()) return;
    const notification = new Notification({ title: notice.title, body: notice.body, ...(this.#icon ? { icon: this.#icon } : {}) });
    const forget = () => this.#live.delete(notification);
    notification.on('click', () => {
      forget();
      this.#open(notice.target);
    });
    notification.on('close', forget);
    notification.on('failed', forget);
    this.#live.add(notification);
    if (this.#live.size > KEEP) this.#live.delete(this.#live.values().next().value!);
    notification.show();
  }
}
