// A plaque page counts its visit once it is shown: a POST beacon (GET never writes), one per device per day.
document.addEventListener("DOMContentLoaded", async () => {
  const page = document.getElementById("plaque");
  if (!page) return;
  const token = page.querySelector("input[name=csrfmiddlewaretoken]");
  try {
    const response = await fetch(page.dataset.visitUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "", Accept: "application/json" },
    });
    const answer = await response.json();
    page.dataset.visit = answer.counted ? "counted" : "seen";
    const note = document.getElementById("visit-note");
    if (answer.counted && note) note.textContent = note.dataset.countedText;
  } catch (error) {
    page.dataset.visit = "failed";
  }
});
