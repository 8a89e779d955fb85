// The module web/build.ts generates next to this file (assets.js, not committed).
export const scriptName: string;
export const script: string;
export const styles: string;
