// The example server's page: Better Auth's own JS client, unchanged, talking to the server.
//
// The page follows the session atom (`authClient.useSession`, what `useSession()` wraps in the
// framework clients): signed out, it offers "Continue as Guest" and the sign-up / sign-in forms;
// signed in, it shows who you are, the cart (`/api/cart`) and the bio; while the user is a guest it
// keeps the forms and an upgrade prompt, since signing up or signing in is how a guest links.
import { createAuthClient } from 'better-auth/client';
import { anonymousClient } from 'better-auth/client/plugins';

const authClient = createAuthClient({
  baseURL: window.location.origin,
  plugins: [anonymousClient()],
});

const PRODUCTS = [
  { sku: 'coffee-beans', name: 'Coffee beans', detail: '250 g, medium roast', hue: 28,
    icon: '<ellipse cx="12" cy="12" rx="6" ry="8.5" transform="rotate(35 12 12)"/><path d="M8.6 17.4c1.6-3.2 5.2-7.6 6.8-10.8"/>' },
  { sku: 'mug', name: 'Mug', detail: 'Stoneware, 350 ml', hue: 200,
    icon: '<path d="M5 7h11v8.5A3.5 3.5 0 0 1 12.5 19h-4A3.5 3.5 0 0 1 5 15.5z"/><path d="M16 9.5h1.5a2.5 2.5 0 0 1 0 5H16"/><path d="M8.5 3.5v1.5M12 3.5v1.5"/>' },
  { sku: 'sticker', name: 'Sticker', detail: 'Die-cut vinyl', hue: 320,
    icon: '<path d="M19.5 12.5a7.5 7.5 0 1 1-8-8h.5v3.5a4.5 4.5 0 0 0 4.5 4.5z"/><path d="M12 4.5l7.5 8"/>' },
  { sku: 't-shirt', name: 'T-shirt', detail: 'Organic cotton', hue: 150,
    icon: '<path d="M9 4h6l5 3-2 4-2-1v10H8V10l-2 1-2-4z"/><path d="M9.5 4a2.5 2.5 0 0 0 5 0"/>' },
  { sku: 'tote-bag', name: 'Tote bag', detail: 'Heavy canvas', hue: 255,
    icon: '<path d="M5 9h14l-1.2 10.2a1 1 0 0 1-1 .8H7.2a1 1 0 0 1-1-.8z"/><path d="M9 9V7a3 3 0 0 1 6 0v2"/>' },
];
const productBySku = new Map(PRODUCTS.map((p) => [p.sku, p]));

const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);
const el = {
  app: byTestId('app'),
  loading: byTestId('loading'),
  error: byTestId('error'),
  errorCode: byTestId('error-code'),
  errorMessage: byTestId('error-message'),
  errorDismiss: byTestId('error-dismiss'),
  signedOut: byTestId('signed-out-view'),
  guestButton: byTestId('continue-as-guest'),
  upgrade: byTestId('upgrade-prompt'),
  signedIn: byTestId('signed-in-view'),
  avatar: byTestId('avatar'),
  userName: byTestId('user-name'),
  userEmail: byTestId('user-email'),
  badge: byTestId('guest-badge'),
  bioForm: byTestId('bio-form'),
  bioInput: byTestId('bio-input'),
  bioSave: byTestId('bio-save'),
  bioStatus: byTestId('bio-status'),
  bioDisplay: byTestId('bio-display'),
  signOut: byTestId('sign-out'),
  upgradeLink: byTestId('upgrade-link'),
  cartCount: byTestId('cart-count'),
  products: byTestId('products'),
  cartEmpty: byTestId('cart-empty'),
  cartItems: byTestId('cart-items'),
  authForms: byTestId('auth-forms'),
  signUpForm: byTestId('sign-up-form'),
  signUpName: byTestId('sign-up-name'),
  signUpEmail: byTestId('sign-up-email'),
  signUpPassword: byTestId('sign-up-password'),
  signInForm: byTestId('sign-in-form'),
  signInEmail: byTestId('sign-in-email'),
  signInPassword: byTestId('sign-in-password'),
};

const svg = (body, cls) =>
  `<svg class="${cls}" viewBox="0 0 24 24" aria-hidden="true" focusable="false">${body}</svg>`;

// ---------------------------------------------------------------------------
// Errors: the client's `error` is `{ code, message, status, statusText }`.
// ---------------------------------------------------------------------------
function showError(error) {
  const code = error?.code || (error?.status ? `HTTP_${error.status}` : 'ERROR');
  const message = error?.message || error?.statusText || 'Something went wrong.';
  el.errorCode.textContent = code;
  el.errorMessage.textContent = message;
  el.error.hidden = false;
}

function clearError() {
  el.error.hidden = true;
  el.errorCode.textContent = '';
  el.errorMessage.textContent = '';
}

el.errorDismiss.addEventListener('click', clearError);

// Runs one user action: the button shows it is busy (aria-disabled, not disabled, so that it keeps
// the keyboard focus) and ignores clicks meanwhile; the previous error goes away; a thrown
// exception (network down) is shown like a server error.
async function run(button, action) {
  if (button.getAttribute('aria-busy') === 'true') return;
  clearError();
  button.setAttribute('aria-busy', 'true');
  button.setAttribute('aria-disabled', 'true');
  try {
    await action();
  } catch (e) {
    showError({ code: 'NETWORK_ERROR', message: e instanceof Error ? e.message : String(e) });
  } finally {
    button.removeAttribute('aria-busy');
    button.removeAttribute('aria-disabled');
  }
}

// ---------------------------------------------------------------------------
// The cart: the app's own routes, with the session cookie.
// ---------------------------------------------------------------------------
let cartOwner = null;   // the user id whose cart is shown
let cartRequest = 0;    // answers to an older request are dropped

async function cartFetch(init) {
  const response = await fetch('/api/cart', {
    credentials: 'include',
    ...init,
    headers: { Accept: 'application/json', ...(init?.body ? { 'Content-Type': 'application/json' } : {}) },
  });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    return { error: { ...(body ?? {}), status: response.status, statusText: response.statusText } };
  }
  return { items: Array.isArray(body?.items) ? body.items : [] };
}

async function loadCart(userId) {
  const request = ++cartRequest;
  const { items, error } = await cartFetch({ method: 'GET' });
  if (request !== cartRequest || cartOwner !== userId) return;
  if (error) {
    showError(error);
    return;
  }
  renderCart(items);
}

function renderCart(items) {
  const total = items.reduce((sum, item) => sum + (Number(item.quantity) || 0), 0);
  el.cartCount.textContent = `${total} ${total === 1 ? 'item' : 'items'}`;
  el.cartCount.dataset.total = String(total);
  el.cartEmpty.hidden = items.length > 0;
  el.cartItems.replaceChildren(...items.map((item) => {
    const product = productBySku.get(item.sku);
    const li = document.createElement('li');
    li.className = 'cart-item';
    li.dataset.testid = 'cart-item';
    li.dataset.id = item.id;
    li.dataset.sku = item.sku;
    li.dataset.quantity = String(item.quantity);
    li.style.setProperty('--hue', String(product?.hue ?? 220));
    li.innerHTML = `${svg(product?.icon ?? '<circle cx="12" cy="12" r="7"/>', 'tile small')}
      <span class="cart-item-name"></span>
      <span class="cart-item-qty" aria-label="quantity"></span>`;
    li.querySelector('.cart-item-name').textContent = product?.name ?? item.sku;
    li.querySelector('.cart-item-qty').textContent = `× ${item.quantity}`;
    return li;
  }));
}

function renderProducts() {
  el.products.replaceChildren(...PRODUCTS.map((product) => {
    const li = document.createElement('li');
    li.className = 'product';
    li.dataset.testid = `product-${product.sku}`;
    li.style.setProperty('--hue', String(product.hue));
    li.innerHTML = `${svg(product.icon, 'tile')}
      <span class="product-text">
        <span class="product-name"></span>
        <span class="product-detail"></span>
      </span>
      <label class="visually-hidden" for="quantity-${product.sku}"></label>
      <select class="input quantity" id="quantity-${product.sku}" data-testid="quantity-${product.sku}">
        ${[1, 2, 3, 4, 5].map((n) => `<option value="${n}">${n}</option>`).join('')}
      </select>
      <button type="button" class="btn secondary small" data-testid="add-${product.sku}">Add</button>`;
    li.querySelector('.product-name').textContent = product.name;
    li.querySelector('.product-detail').textContent = product.detail;
    li.querySelector('label').textContent = `Quantity of ${product.name}`;
    const quantity = li.querySelector('select');
    const add = li.querySelector('button');
    add.setAttribute('aria-label', `Add ${product.name} to the cart`);
    add.addEventListener('click', () => run(add, async () => {
      const request = ++cartRequest;
      const { items, error } = await cartFetch({
        method: 'POST',
        body: JSON.stringify({ sku: product.sku, quantity: Number(quantity.value) }),
      });
      if (error) {
        showError(error);
        return;
      }
      if (request === cartRequest) renderCart(items);
      quantity.value = '1';
    }));
    return li;
  }));
}

// ---------------------------------------------------------------------------
// The session.
// ---------------------------------------------------------------------------
let bioOwner = null;   // the user id whose bio the text area holds
let bioDirty = false;  // typed in and not saved yet: a session update must not overwrite it

function initials(name) {
  const letters = String(name ?? '').split(/[\s-]+/).filter(Boolean).map((w) => w[0]);
  return (letters.slice(0, 2).join('') || '?').toUpperCase();
}

// When the view changes under the keyboard focus (the button just pressed is gone), the focus
// moves to the new view's heading instead of falling back to the page.
function keepFocus(state) {
  const active = document.activeElement;
  if (active && active !== document.body && !active.closest('[hidden]')) return;
  const heading = state === 'signed-out' ? 'hero-title' : state === 'loading' ? null : 'profile-title';
  if (heading) document.getElementById(heading)?.focus({ preventScroll: true });
}

// The atom is pending whenever it refetches without a session (after "Continue as Guest", on
// window focus): only the first fetch shows "Loading", later ones keep the current view.
let settled = false;

function render({ data, isPending }) {
  const user = data?.user ?? null;
  if (!isPending) settled = true;
  const loading = !settled && !user;
  const anonymous = Boolean(user?.isAnonymous);
  const state = loading ? 'loading' : !user ? 'signed-out' : anonymous ? 'guest' : 'member';
  const previous = el.app.dataset.state;
  el.app.dataset.state = state;
  el.app.setAttribute('aria-busy', loading ? 'true' : 'false');

  el.loading.hidden = !loading;
  el.signedOut.hidden = loading || Boolean(user);
  el.signedIn.hidden = !user;
  el.upgrade.hidden = !anonymous;
  el.authForms.hidden = loading || (Boolean(user) && !anonymous);

  if (previous !== state && previous !== 'loading') keepFocus(state);

  if (!user) {
    cartOwner = null;
    bioOwner = null;
    bioDirty = false;
    cartRequest++;
    renderCart([]);
    return;
  }

  el.userName.textContent = user.name;
  el.userEmail.textContent = user.email;
  el.badge.hidden = !anonymous;
  el.avatar.textContent = initials(user.name);
  el.avatar.classList.toggle('guest', anonymous);

  const bio = typeof user.bio === 'string' ? user.bio : '';
  el.bioDisplay.textContent = bio || 'no bio yet';
  el.bioDisplay.classList.toggle('muted', !bio);
  if (bioOwner !== user.id) {
    bioOwner = user.id;
    bioDirty = false;
    el.bioStatus.textContent = '';
  }
  if (!bioDirty) el.bioInput.value = bio;

  if (cartOwner !== user.id) {
    cartOwner = user.id;
    loadCart(user.id);
  }
}

authClient.useSession.subscribe(render);

// ---------------------------------------------------------------------------
// Actions.
// ---------------------------------------------------------------------------
el.guestButton.addEventListener('click', () => run(el.guestButton, async () => {
  const { error } = await authClient.signIn.anonymous();
  if (error) showError(error);
}));

el.signUpForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const button = event.submitter ?? el.signUpForm.querySelector('button');
  run(button, async () => {
    const { error } = await authClient.signUp.email({
      name: el.signUpName.value.trim(),
      email: el.signUpEmail.value.trim(),
      password: el.signUpPassword.value,
    });
    if (error) {
      showError(error);
      return;
    }
    el.signUpForm.reset();
  });
});

el.signInForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const button = event.submitter ?? el.signInForm.querySelector('button');
  run(button, async () => {
    const { error } = await authClient.signIn.email({
      email: el.signInEmail.value.trim(),
      password: el.signInPassword.value,
    });
    if (error) {
      showError(error);
      return;
    }
    el.signInForm.reset();
  });
});

el.bioInput.addEventListener('input', () => {
  bioDirty = true;
  el.bioStatus.textContent = '';
});

el.bioForm.addEventListener('submit', (event) => {
  event.preventDefault();
  run(el.bioSave, async () => {
    el.bioStatus.textContent = 'Saving…';
    const { error } = await authClient.updateUser({ bio: el.bioInput.value });
    if (error) {
      el.bioStatus.textContent = '';
      showError(error);
      return;
    }
    bioDirty = false;   // the session atom refetches and shows the saved bio
    el.bioStatus.textContent = 'Saved';
  });
});

el.signOut.addEventListener('click', () => run(el.signOut, async () => {
  const { error } = await authClient.signOut();
  if (error) showError(error);
}));

el.upgradeLink.addEventListener('click', (event) => {
  event.preventDefault();
  el.signUpForm.scrollIntoView({ behavior: 'smooth', block: 'center' });
  el.signUpName.focus({ preventScroll: true });
});

renderProducts();
