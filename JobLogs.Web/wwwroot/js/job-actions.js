// Cancel and Retry on the job page: POST through the web's forward to the Api, then show the job as it is now.
// A refusal (409: the job changed meanwhile) is shown as the Api's own sentence.
document.querySelectorAll("[data-job-action]").forEach(button => {
    button.addEventListener("click", async () => {
        button.disabled = true;
        const problem = document.querySelector(".job-action-problem");
        const response = await fetch(button.dataset.jobAction, {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: "{}",
        });
        if (response.ok) {
            location.reload();
            return;
        }
        const detail = await response.json().catch(() => null);
        problem.textContent = detail?.detail ?? `The request failed (${response.status}).`;
        problem.hidden = false;
        button.disabled = false;
    });
});
