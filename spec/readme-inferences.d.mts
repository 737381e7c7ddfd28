export declare const README: string;
export declare const START: string;
export declare const END: string;
/** The README's counts table (markdown), computed from every spec's marks and rules. */
export declare function countsTable(): string;
/** `readme` with the text between the markers replaced by `table`; throws without the markers. */
export declare function withTable(readme: string, table: string): string;
