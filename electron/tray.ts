// Draws a TrayView with Electron's Tray and Menu. Decisions live in tray-presenter.ts; this only renders.
import path from 'node:path';
import { Menu, Tray, nativeImage, type MenuItemConstructorOptions, type NativeImage } from 'electron';
import type { IconName, MenuItemSpec, TrayAction, TrayView } from './tray-presenter.ts';

export class TrayIcon {
  readonly #tray: Tray;
  readonly #iconDir: string;
  readonly #platform: NodeJS.Platform;
  readonly #onAction: (action: TrayAction) => void;
  readonly #images = new Map<IconName, NativeImage>();
  #icon: IconName | null = null;

  constructor(iconDir: string, platform: NodeJS.Platform, initial: TrayView, onAction: (action: TrayAction) => void) {
    this.#iconDir = iconDir;
    this.#platform = platform;
    this.#onAction = onAction;
    this.#tray = new Tray(this.#image(initial.icon));
    this.#icon = initial.icon;
    // Windows users expect a left click on the icon to open the app; elsewhere a click opens the menu.
    if (platform === 'win32') this.#tray.on('click', () => onAction({ type: 'open' }));
    this.render(initial);
  }

  render(view: TrayView): void {
    if (view.icon !== this.#icon) {
      this.#tray.setImage(this.#image(view.icon));
      this.#icon = view.icon;
    }
    this.#tray.setToolTip(view.tooltip);
    if (this.#platform === 'darwin') this.#tray.setTitle(view.title);
    this.#tray.setContextMenu(Menu.buildFromTemplate(menuTemplate(view.menu, this.#onAction)));
  }

  destroy(): void {
    this.#tray.destroy();
  }

  /** `<name>.png` (+ `@2x`), or on macOS `<name>Template.png`: black-and-alpha images the menu bar tints. */
  #image(name: IconName): NativeImage {
    let image = this.#images.get(name);
    if (!image) {
      image = nativeImage.createFromPath(path.join(this.#iconDir, `${name}${this.#platform === 'darwin' ? 'Template' : ''}.png`));
      this.#images.set(name, image);
    }
    return image;
  }
}

export function menuTemplate(items: readonly MenuItemSpec[], onAction: (action: TrayAction) => void): MenuItemConstructorOptions[] {
  // biome-ignore lint/suspicious/useIterableCallbackReturn: the switch covers every MenuItemSpec type (tsc checks it).
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.type) {
      case 'separator':
        return { type: 'separator' };
      case 'label':
        return { label: escapeMnemonic(item.label), enabled: false };
      case 'action':
        return { label: escapeMnemonic(item.label), enabled: item.enabled, click: () => onAction(item.action) };
      case 'submenu':
        return { label: escapeMnemonic(item.label), submenu: menuTemplate(item.items, onAction) };
    }
  });
}

/** Mail subjects are not ours: a lone '&' would turn into a keyboard accelerator on Windows and Linux. */
function escapeMnemonic(label: string): string {
  return label.replaceAll('&', '&&');
}
