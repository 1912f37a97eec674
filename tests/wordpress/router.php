<?php
// The router of PHP's built-in server (`php -S`), as Apache's rewrite rules in Debian's
// /etc/wordpress/htaccess would be: real files are served as they are, every other path
// goes to WordPress's index.php (pretty permalinks, /wp-json/). The Debian config file
// to read comes from LISTEN_TEST_WP_CONFIG, as Apache's `SetEnv WORDPRESS_CONFIG` would.
$_SERVER['WORDPRESS_CONFIG'] = getenv('LISTEN_TEST_WP_CONFIG');
$path = rawurldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH));
$file = $_SERVER['DOCUMENT_ROOT'] . $path;
if (is_file($file) || (is_dir($file) && is_file(rtrim($file, '/') . '/index.php'))) {
    return false;
}
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $_SERVER['DOCUMENT_ROOT'] . '/index.php';
$_SERVER['PHP_SELF'] = '/index.php';
chdir($_SERVER['DOCUMENT_ROOT']);
require $_SERVER['DOCUMENT_ROOT'] . '/index.php';
