// "Download as PNG" for a chart drawn inline as SVG: the browser draws the very same SVG
// onto a canvas at twice its size and saves that, so the picture is the chart itself with
// no server-side renderer. Without JavaScript the button (in a hidden span) stays hidden and the SVG and CSV
// downloads remain. Buttons: data-chart-png="<selector of the svg>" data-filename="...".
for (const button of document.querySelectorAll("[data-chart-png]")) {
  const svg = document.querySelector(button.dataset.chartPng);
  if (!svg || !window.HTMLCanvasElement) continue;
  button.closest("[hidden]")?.removeAttribute("hidden");
  button.addEventListener("click", async () => {
    const source = new XMLSerializer().serializeToString(svg);
    const url = URL.createObjectURL(new Blob([source], { type: "image/svg+xml" }));
    const image = new Image();
    image.src = url;
    await image.decode();
    const { width, height } = svg.viewBox.baseVal;
    const canvas = document.createElement("canvas");
    canvas.width = width * 2;
    canvas.height = height * 2;
    const context = canvas.getContext("2d");
    context.scale(2, 2);
    context.drawImage(image, 0, 0, width, height);
    URL.revokeObjectURL(url);
    canvas.toBlob((png) => {
      const link = document.createElement("a");
      link.href = URL.createObjectURL(png);
      link.download = button.dataset.filename || "chart.png";
      document.body.append(link);
      link.click();
      link.remove();
    }, "image/png");
  });
}
