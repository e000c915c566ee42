// The GOV.UK timeout warning: two minutes before an idle session ends, a modal dialog says so and
// offers "Stay signed in" (which resets the server's idle clock) or "Sign out". Escape also keeps
// the session. When time runs out the page reloads, and the server shows the sign-in page.

const MINUTE = 60

function spell (seconds) {
  if (seconds >= MINUTE) {
    const minutes = Math.ceil(seconds / MINUTE)
    return minutes === 1 ? '1 minute' : `${minutes} minutes`
  }
  return seconds === 1 ? '1 second' : `${seconds} seconds`
}

export function initTimeoutWarning (dialog) {
  const idle = Number(dialog.dataset.idleSeconds)
  const warning = Number(dialog.dataset.warningSeconds)
  const stayForm = dialog.querySelector('.patchwork-timeout__stay')
  const countdown = dialog.querySelector('.patchwork-timeout__countdown')
  const spoken = dialog.querySelector('.patchwork-timeout__spoken')
  const live = dialog.querySelector('[aria-live]')
  let warnTimer, endTimer, tick, returnFocus

  function end () {
    window.location.reload()
  }

  function show () {
    returnFocus = document.activeElement
    let left = warning
    const update = () => {
      countdown.textContent = spell(left)
      spoken.textContent = spell(left)
      if (left === warning || left % 30 === 0 || left <= 10) live.textContent = `You will be signed out in ${spell(left)}.`
      left -= 1
    }
    update()
    tick = window.setInterval(update, 1000)
    dialog.showModal()
  }

  function start () {
    window.clearTimeout(warnTimer)
    window.clearTimeout(endTimer)
    window.clearInterval(tick)
    warnTimer = window.setTimeout(show, (idle - warning) * 1000)
    endTimer = window.setTimeout(end, (idle + 5) * 1000) // a little after the server's own limit
  }

  async function stay (event) {
    if (event) event.preventDefault()
    const token = stayForm.querySelector('input[name=csrfmiddlewaretoken]').value
    const response = await window.fetch(stayForm.action, {
      method: 'POST',
      headers: { 'X-CSRFToken': token },
      credentials: 'same-origin'
    })
    if (response.status !== 204) return end()
    window.clearInterval(tick)
    dialog.close()
    live.textContent = ''
    if (returnFocus) returnFocus.focus()
    start()
  }

  stayForm.addEventListener('submit', stay)
  dialog.addEventListener('cancel', stay) // Escape: stay signed in, as GOV.UK's pattern does
  start()
}
