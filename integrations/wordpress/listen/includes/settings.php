<?php
/**
 * Settings → Listen: the service URL, the admin token, where the player goes, post types,
 * and a "Test connection" button that asks the service's /readyz.
 *
 * @package Listen
 */

defined( 'ABSPATH' ) || exit;

/** Where the player may go: before or after the content, or only where placed. */
const LISTEN_PLACEMENTS = array( 'before', 'after', 'manual' );
/** The player's options (README "Embedding the player"). */
const LISTEN_THEMES  = array( 'auto', 'light', 'dark' );
const LISTEN_LAYOUTS = array( '', 'compact', 'sticky' );

/**
 * The plugin's settings, with defaults for what is not stored.
 *
 * @return array{url: string, token: string, placement: string, post_types: string[], theme: string, layout: string, hide_missing: bool}
 */
function listen_settings(): array {
	$stored = get_option( LISTEN_OPTION, array() );
	return array_merge(
		array(
			'url'          => '',
			'token'        => '',
			'placement'    => 'before',
			'post_types'   => array( 'post' ),
			'theme'        => 'auto',
			'layout'       => '',
			'hide_missing' => true,
		),
		is_array( $stored ) ? $stored : array()
	);
}

/**
 * Sanitize the settings form (register_setting's callback). An empty token field keeps
 * the stored token: it is never printed back, so the form cannot resubmit it.
 *
 * @param mixed $input The submitted values.
 * @return array The values to store.
 */
function listen_sanitize_settings( $input ): array {
	$old   = listen_settings();
	$input = is_array( $input ) ? $input : array();
	$url   = isset( $input['url'] ) ? esc_url_raw( trim( (string) $input['url'] ), array( 'http', 'https' ) ) : '';
	$token = isset( $input['token'] ) ? trim( sanitize_text_field( (string) $input['token'] ) ) : '';
	$types = isset( $input['post_types'] ) && is_array( $input['post_types'] ) ? $input['post_types'] : array();
	$known = get_post_types( array( 'public' => true ) );
	$place = isset( $input['placement'] ) ? sanitize_key( $input['placement'] ) : 'before';
	$theme = isset( $input['theme'] ) ? sanitize_key( $input['theme'] ) : 'auto';
	$lay   = isset( $input['layout'] ) ? sanitize_key( $input['layout'] ) : '';
	return array(
		'url'          => untrailingslashit( $url ),
		'token'        => '' === $token ? $old['token'] : $token,
		'placement'    => in_array( $place, LISTEN_PLACEMENTS, true ) ? $place : 'before',
		'post_types'   => array_values( array_intersect( array_map( 'sanitize_key', $types ), $known ) ),
		'theme'        => in_array( $theme, LISTEN_THEMES, true ) ? $theme : 'auto',
		'layout'       => in_array( $lay, LISTEN_LAYOUTS, true ) ? $lay : '',
		'hide_missing' => ! empty( $input['hide_missing'] ),
	);
}

/**
 * The token as the settings page shows it: its last four characters only.
 *
 * @param string $token The stored token.
 */
function listen_masked_token( string $token ): string {
	if ( '' === $token ) {
		return '';
	}
	return str_repeat( '•', 8 ) . substr( $token, -4 );
}

add_action(
	'admin_init',
	function () {
		register_setting(
			'listen',
			LISTEN_OPTION,
			array(
				'type'              => 'array',
				'sanitize_callback' => 'listen_sanitize_settings',
				'default'           => array(),
			)
		);
	}
);

add_action(
	'admin_menu',
	function () {
		add_options_page( 'Listen', 'Listen', 'manage_options', 'listen', 'listen_settings_page' );
	}
);

/** The settings page (options.php checks the nonce settings_fields() prints). */
function listen_settings_page(): void {
	if ( ! current_user_can( 'manage_options' ) ) {
		return;
	}
	$s      = listen_settings();
	$name   = LISTEN_OPTION;
	$answer = get_transient( 'listen_readyz_' . get_current_user_id() );
	?>
	<div class="wrap">
		<h1><?php echo esc_html__( 'Listen', 'listen' ); ?></h1>
		<?php if ( is_array( $answer ) ) : ?>
			<div class="notice notice-<?php echo esc_attr( $answer['ok'] ? 'success' : 'error' ); ?>" id="listen-connection">
				<p><?php echo esc_html( $answer['message'] ); ?></p>
			</div>
			<?php delete_transient( 'listen_readyz_' . get_current_user_id() ); ?>
		<?php endif; ?>
		<form method="post" action="<?php echo esc_url( admin_url( 'options.php' ) ); ?>" id="listen-settings">
			<?php settings_fields( 'listen' ); ?>
			<table class="form-table" role="presentation">
				<tr>
					<th scope="row"><label for="listen-url"><?php echo esc_html__( 'Service URL', 'listen' ); ?></label></th>
					<td><input type="url" class="regular-text" id="listen-url" name="<?php echo esc_attr( $name ); ?>[url]" value="<?php echo esc_attr( $s['url'] ); ?>" placeholder="https://listen.example.com">
					<p class="description"><?php echo esc_html__( 'Where your listen service runs.', 'listen' ); ?></p></td>
				</tr>
				<tr>
					<th scope="row"><label for="listen-token"><?php echo esc_html__( 'Admin token', 'listen' ); ?></label></th>
					<td><input type="password" class="regular-text" id="listen-token" name="<?php echo esc_attr( $name ); ?>[token]" value="" autocomplete="new-password" placeholder="<?php echo esc_attr( listen_masked_token( $s['token'] ) ); ?>">
					<p class="description"><?php echo esc_html__( 'LISTEN_ADMIN_TOKEN of the service. Leave empty to keep the stored one.', 'listen' ); ?></p></td>
				</tr>
				<tr>
					<th scope="row"><?php echo esc_html__( 'Player position', 'listen' ); ?></th>
					<td>
					<?php
					$labels = array(
						'before' => __( 'Before the content', 'listen' ),
						'after'  => __( 'After the content', 'listen' ),
						'manual' => __( 'Only where the Listen block or [listen] shortcode is placed', 'listen' ),
					);
					foreach ( $labels as $value => $label ) :
						?>
						<label><input type="radio" name="<?php echo esc_attr( $name ); ?>[placement]" value="<?php echo esc_attr( $value ); ?>" <?php checked( $s['placement'], $value ); ?>> <?php echo esc_html( $label ); ?></label><br>
					<?php endforeach; ?>
					</td>
				</tr>
				<tr>
					<th scope="row"><?php echo esc_html__( 'Post types', 'listen' ); ?></th>
					<td>
					<?php foreach ( get_post_types( array( 'public' => true ), 'objects' ) as $type ) : ?>
						<?php
						if ( 'attachment' === $type->name ) {
							continue;
						}
						?>
						<label><input type="checkbox" name="<?php echo esc_attr( $name ); ?>[post_types][]" value="<?php echo esc_attr( $type->name ); ?>" <?php checked( in_array( $type->name, $s['post_types'], true ) ); ?>> <?php echo esc_html( $type->labels->name ); ?></label><br>
					<?php endforeach; ?>
					</td>
				</tr>
				<tr>
					<th scope="row"><label for="listen-theme"><?php echo esc_html__( 'Player', 'listen' ); ?></label></th>
					<td>
						<select id="listen-theme" name="<?php echo esc_attr( $name ); ?>[theme]">
						<?php foreach ( LISTEN_THEMES as $theme ) : ?>
							<option value="<?php echo esc_attr( $theme ); ?>" <?php selected( $s['theme'], $theme ); ?>><?php echo esc_html( $theme ); ?></option>
						<?php endforeach; ?>
						</select>
						<select name="<?php echo esc_attr( $name ); ?>[layout]">
						<?php foreach ( LISTEN_LAYOUTS as $layout ) : ?>
							<option value="<?php echo esc_attr( $layout ); ?>" <?php selected( $s['layout'], $layout ); ?>><?php echo esc_html( '' === $layout ? 'standard' : $layout ); ?></option>
						<?php endforeach; ?>
						</select>
						<p><label><input type="checkbox" name="<?php echo esc_attr( $name ); ?>[hide_missing]" value="1" <?php checked( $s['hide_missing'] ); ?>> <?php echo esc_html__( 'Hide the player on posts whose audio is missing', 'listen' ); ?></label></p>
					</td>
				</tr>
			</table>
			<?php submit_button(); ?>
		</form>
		<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>" id="listen-test">
			<input type="hidden" name="action" value="listen_test_connection">
			<?php wp_nonce_field( 'listen_test_connection' ); ?>
			<?php submit_button( __( 'Test connection', 'listen' ), 'secondary', 'submit', false ); ?>
		</form>
	</div>
	<?php
}

add_action(
	'admin_post_listen_test_connection',
	function () {
		if ( ! current_user_can( 'manage_options' ) ) {
			wp_die( esc_html__( 'You may not change these settings.', 'listen' ), 403 );
		}
		check_admin_referer( 'listen_test_connection' );
		set_transient( 'listen_readyz_' . get_current_user_id(), listen_readyz(), 60 );
		wp_safe_redirect( admin_url( 'options-general.php?page=listen' ) );
		exit;
	}
);

/**
 * Ask the service's /readyz.
 *
 * @return array{ok: bool, message: string}
 */
function listen_readyz(): array {
	$s = listen_settings();
	if ( '' === $s['url'] ) {
		return array(
			'ok'      => false,
			'message' => __( 'Set the service URL first.', 'listen' ),
		);
	}
	$response = wp_remote_get( $s['url'] . '/readyz', array( 'timeout' => 10 ) );
	if ( is_wp_error( $response ) ) {
		return array(
			'ok'      => false,
			/* translators: %s: the error */
			'message' => sprintf( __( 'The service is unreachable: %s', 'listen' ), $response->get_error_message() ),
		);
	}
	$code   = (int) wp_remote_retrieve_response_code( $response );
	$answer = json_decode( wp_remote_retrieve_body( $response ), true );
	$status = is_array( $answer ) && isset( $answer['status'] ) ? (string) $answer['status'] : '?';
	$checks = array();
	if ( is_array( $answer ) && isset( $answer['checks'] ) && is_array( $answer['checks'] ) ) {
		foreach ( $answer['checks'] as $name => $check ) {
			$checks[] = $name . ': ' . ( ! empty( $check['ok'] ) ? 'ok' : 'failing' );
		}
	}
	return array(
		'ok'      => 200 === $code,
		/* translators: 1: HTTP status, 2: ready or not_ready, 3: each check and its state */
		'message' => sprintf( __( 'The service answered %1$d, %2$s (%3$s).', 'listen' ), $code, $status, implode( ', ', $checks ) ),
	);
}
