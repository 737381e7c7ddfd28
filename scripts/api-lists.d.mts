/** One generated list: its file, relative to the tree's root, and the text it should have given its current text. */
export interface ApiList {
  file: string;
  render(text: string): string;
}
/** Every list of APIs `pnpm generate` writes, for the tree at `root` (default: this repository). */
export declare function apiLists(root?: string): ApiList[];
