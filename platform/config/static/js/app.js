// Patchwork's page script. It is an external ES module, so a strict
// Content-Security-Policy (no 'unsafe-inline') works.
import { initAll } from '/static/govuk/govuk-frontend.min.js'
import { initTimeoutWarning } from '/static/js/timeout-warning.js'
import { initTableScroll } from '/static/js/tables.js'

// GOV.UK's page template sets these body classes with an inline <script>; we
// do it here instead. Any browser running this module supports ES modules,
// which is what 'govuk-frontend-supported' means (and initAll checks for it).
document.body.classList.add('js-enabled', 'govuk-frontend-supported')

initAll()
initTableScroll()

const timeoutWarning = document.querySelector('[data-module="patchwork-timeout-warning"]')
if (timeoutWarning) initTimeoutWarning(timeoutWarning)
