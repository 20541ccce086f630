-- The shop's database before anonauth: its own table and column names, a table anonauth never
-- learns about (reviews), an index and a trigger of its own, and rows it wrote itself.
CREATE TABLE customers (
  customer_id   TEXT PRIMARY KEY,
  full_name     VARCHAR(120) NOT NULL,
  email         VARCHAR(255) NOT NULL,
  verified      BOOLEAN NOT NULL DEFAULT 0,
  avatar_url    TEXT,
  guest         BOOLEAN NOT NULL DEFAULT 0,
  joined_at     INTEGER NOT NULL,
  changed_at    INTEGER NOT NULL,
  marketing_opt TEXT                          -- the shop's own; anonauth leaves it alone
);
CREATE TABLE orders (
  order_id    TEXT PRIMARY KEY,
  customer    TEXT NOT NULL,
  item        TEXT NOT NULL,
  gift_note   TEXT
);
CREATE TABLE reviews (
  review_id   INTEGER PRIMARY KEY,
  order_id    TEXT NOT NULL,
  stars       INTEGER NOT NULL
);
CREATE TABLE order_history (order_id TEXT NOT NULL, new_owner TEXT NOT NULL);
CREATE INDEX orders_by_item ON orders (item);
-- Every change of an order's owner is kept: a link's reassign fires it, inside the link.
CREATE TRIGGER order_owner_changed AFTER UPDATE OF customer ON orders
BEGIN
  INSERT INTO order_history VALUES (NEW.order_id, NEW.customer);
END;

INSERT INTO customers (customer_id, full_name, email, verified, joined_at, changed_at)
  VALUES ('c-1001', 'Ada Lovelace', 'ada@example.com', 1, 1700000000000, 1700000000000);
INSERT INTO orders VALUES ('o-1', 'c-1001', 'kettle', NULL);
INSERT INTO reviews (order_id, stars) VALUES ('o-1', 5);
