// The two libraries measured against nvtool ship no types usable under NodeNext resolution.
declare module 'restructure';
declare module 'binary-parser' {
  export const Parser: any;
}
