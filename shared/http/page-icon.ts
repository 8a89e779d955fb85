/**
 * The icon every served page declares inline, so a browser never asks for /favicon.ico (a route
 * no stack serves: each visit would log a 404). A data URI needs no route, no cache rule and no
 * CSP source beyond `img-src data:`.
 */
const svg =
  "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'>" +
  "<rect width='32' height='32' rx='7' fill='#0f766e'/>" +
  "<path d='M9 16.5l4.5 4.5L23 11.5' fill='none' stroke='#fff' stroke-width='3.5' stroke-linecap='round' stroke-linejoin='round'/>" +
  '</svg>';

export const PAGE_ICON = `<link rel="icon" type="image/svg+xml" href="data:image/svg+xml,${encodeURIComponent(svg)}">`;
