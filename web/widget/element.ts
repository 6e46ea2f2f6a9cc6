import { h, render, type FunctionComponent } from "preact";
import { css } from "./styles.ts";

/** Where the widgets call: the server the script came from, unless an element says otherwise (`api-base`). */
const scriptOrigin = (() => {
  const script = document.currentScript as HTMLScriptElement | null;
  try {
    return script?.src ? new URL(script.src).origin : location.origin;
  } catch {
    return location.origin;
  }
})();

export interface ElementProps {
  apiBase: string;
  token: string;
  lang: string;
  host: HTMLElement;
}

/**
 * A custom element that renders a Preact component into its own open shadow root, with the
 * widgets' styles inside it, again whenever one of `attributes` or `properties` changes (the
 * checkout's page sets `.cart` whenever its cart changes).
 */
export function defineWidget(name: string, Component: FunctionComponent<ElementProps>, attributes: string[], properties: string[] = []): void {
  if (customElements.get(name)) return;
  class Widget extends HTMLElement {
    static observedAttributes = ["token", "lang", "api-base", ...attributes];
    private root: ShadowRoot;
    readonly values: Record<string, unknown> = {};
    constructor() {
      super();
      this.root = this.attachShadow({ mode: "open" });
      const style = document.createElement("style");
      style.textContent = css;
      this.root.append(style, document.createElement("div"));
      // A property the page set before this script defined the element is an own property that
      // would hide the accessor: move it behind the accessor.
      for (const property of properties) {
        if (Object.prototype.hasOwnProperty.call(this, property)) {
          const value = (this as unknown as Record<string, unknown>)[property];
          delete (this as unknown as Record<string, unknown>)[property];
          this.values[property] = value;
        }
      }
    }
    private onHash = () => this.update();
    connectedCallback() {
      // The standalone page passes the token (and language) in the URL's fragment, never sent to a server.
      if (this.hasAttribute("token-from-hash")) addEventListener("hashchange", this.onHash);
      this.update();
    }
    attributeChangedCallback() {
      if (this.isConnected) this.update();
    }
    disconnectedCallback() {
      removeEventListener("hashchange", this.onHash);
      render(null, this.root.lastElementChild!);
    }
    /** Lets the page set properties the component reads (the checkout widget's cart). */
    update() {
      const hash = this.hasAttribute("token-from-hash") ? new URLSearchParams(location.hash.slice(1)) : null;
      const fromHash = hash?.get("token") ?? "";
      const lang = this.getAttribute("lang") || hash?.get("lang") || document.documentElement.lang || navigator.language || "en";
      render(h(Component, { apiBase: (this.getAttribute("api-base") || scriptOrigin).replace(/\/$/, ""), token: this.getAttribute("token") || fromHash, lang, host: this }), this.root.lastElementChild!);
    }
  }
  for (const property of properties) {
    Object.defineProperty(Widget.prototype, property, {
      configurable: true,
      enumerable: true,
      get(this: Widget) {
        return this.values[property];
      },
      set(this: Widget, value: unknown) {
        this.values[property] = value;
        if (this.isConnected) this.update();
      },
    });
  }
  customElements.define(name, Widget);
}
