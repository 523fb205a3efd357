// Copy what the compiled stylesheet and the pages need from nhsuk-frontend into
// backend/static/ripple/nhsuk/, and record the version beside them.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";

const source = "node_modules/nhsuk-frontend/dist/nhsuk";
const target = "backend/static/ripple/nhsuk";
const { version } = JSON.parse(readFileSync("node_modules/nhsuk-frontend/package.json", "utf8"));

rmSync(target, { recursive: true, force: true });
mkdirSync(`${target}/images`, { recursive: true });
copyFileSync(`${source}/nhsuk-frontend.min.js`, `${target}/nhsuk-frontend.min.js`);

// Only the icons the compiled stylesheets point at (the hashed storage refuses a missing one).
const css = ["ripple.css", "desk.css"]
  .map((name) => readFileSync(`backend/static/ripple/${name}`, "utf8"))
  .join("\n");
const images = new Set([...css.matchAll(/url\(["']?nhsuk\/images\/([^"')]+)/g)].map((m) => m[1]));
for (const image of images) {
  copyFileSync(`${source}/assets/images/${image}`, `${target}/images/${image}`);
}
writeFileSync(
  `${target}/VERSION`,
  `nhsuk-frontend ${version} (MIT), from the npm registry; regenerate with \`npm run build\`.\n`,
);
console.log(`nhsuk-frontend ${version}: ${images.size} images`);
