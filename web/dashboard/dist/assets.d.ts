// The module web/build.ts generates next to this file (assets.js, not committed).
export const scriptName: string;
export const script: string;
export const styles: string;
export const inbox: { scriptName: string; styles: string };
export const callback: { scriptName: string };
export const scripts: Record<string, string>;
