/** Whether the running command's line parsed clean (set by `execute`; the write gate refuses to write otherwise). */
const state = { clean: false };

export function setParsedClean(clean: boolean): void {
  state.clean = clean;
}

export function parsedClean(): boolean {
  return state.clean;
}
