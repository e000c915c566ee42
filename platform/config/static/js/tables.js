// A table wider than its box scrolls inside it (.patchwork-table-scroll, css/patchwork.css). While it does, the box
// is a named region in the tab order, so a keyboard user can scroll it with the arrow keys and a screen reader
// says what it is; when it fits, it is neither. Without JavaScript the box still scrolls with a mouse or a finger.
function label (box) {
  const caption = box.querySelector('caption')
  return (caption ? caption.textContent : '').trim().replace(/\s+/g, ' ') || 'Table'
}

function update (box) {
  if (box.scrollWidth > box.clientWidth) {
    box.setAttribute('tabindex', '0')
    box.setAttribute('role', 'region')
    box.setAttribute('aria-label', label(box) + ' (scrolls sideways)')
  } else {
    box.removeAttribute('tabindex')
    box.removeAttribute('role')
    box.removeAttribute('aria-label')
  }
}

export function initTableScroll () {
  const boxes = document.querySelectorAll('.patchwork-table-scroll')
  if (!boxes.length) return
  boxes.forEach(update)
  if ('ResizeObserver' in window) {
    const observer = new ResizeObserver(entries => entries.forEach(entry => update(entry.target)))
    boxes.forEach(box => observer.observe(box))
  } else {
    window.addEventListener('resize', () => boxes.forEach(update))
  }
}
