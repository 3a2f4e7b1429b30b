// src/utils/logUtils.ts:37-82 (logger): an array is joined, then console.log / warn / error by level ("log" when
// none is given). The `dev` option only adds a NODE_ENV check, and Piximi's build is "production".
export const logger = (message, options) => {
  const level = options?.level ?? "log";
  if (Array.isArray(message)) message = message.join("");
  if (options?.dev) return; // logs only when NODE_ENV !== "production"
  if (level === "log") console.log(message);
  else if (level === "warn") console.warn(message);
  else if (level === "error") console.error(message);
};
