// <pkg>/elements: importing it defines <ferry-uploads> (docs/embed.md).
import { FerryUploadsElement } from './ferry-uploads.js';

export { FerryUploadsElement } from './ferry-uploads.js';

if (!customElements.get('ferry-uploads')) customElements.define('ferry-uploads', FerryUploadsElement);

declare global {
  interface HTMLElementTagNameMap {
    'ferry-uploads': FerryUploadsElement;
  }
}
