// Leave out of the compiled stylesheets every rule no page can use: PurgeCSS keeps a
// selector only when its class names appear in a template, a Python module (classes
// built in views) or the scripts (nhsuk-frontend's JavaScript adds some at run time).
// A page that starts using a new class needs `npm run build` again.
import { readFileSync, writeFileSync } from "node:fs";
import { PurgeCSS } from "purgecss";

const apps = ["backend", "projects", "capability", "pdsa", "spread", "notifications", "assessment"];
const content = [
  ...apps.flatMap((app) => [`${app}/templates/**/*.html`, `${app}/**/*.py`]),
  "backend/static/ripple/ripple.js",
  "node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js",
];
const stylesheets = ["backend/static/ripple/ripple.css", "backend/static/ripple/desk.css"];

const results = await new PurgeCSS().purge({
  content,
  css: stylesheets,
  // Class names are words with hyphens and underscores; template tags split them off.
  defaultExtractor: (text) => text.match(/[A-Za-z0-9_-]+/g) || [],
  // Classes a template builds from a number (a unit's depth in the tree, an aim's).
  safelist: { standard: [/^nhsuk-tag--/, /^ripple-aim--depth-/, /^ripple-units__item--/] },
  variables: false,
  keyframes: false,
  fontFace: false,
});
for (const { file, css } of results) {
  const before = readFileSync(file, "utf8").length;
  writeFileSync(file, css);
  console.log(`${file}: ${before} -> ${css.length} bytes`);
}
